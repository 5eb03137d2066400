import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { errorBodyOf } from './error-mapping';

/**
 * Every HTTP error as `{"error_code", "message"}`: what a client should read, never a stack.
 * Unexpected errors are logged with their stack here instead. Installed with useGlobalFilters, so
 * it covers HTTP routes only (WebSocket gateways keep their own error handling).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { expected, ...body } = errorBodyOf(exception);
    if (!expected) this.logger.error({ msg: 'request failed', error: exception instanceof Error ? exception.stack : String(exception) });
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(body.error_code).json(body);
  }
}
