import { HttpException, HttpStatus } from '@nestjs/common';
import { ConnectionError } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { ZodValidationException } from 'nestjs-zod';
import { z } from 'zod';
import { ErrorBody } from './error-body';
import { httpStatusOfKafkaError } from './kafka-error-status';

/** At most this many validation problems are listed in one message. */
const MAX_LISTED_ISSUES = 5;

/** "entries.2.value.type: Invalid option ...": each problem names the field it is about. */
export function describeZodError(error: z.ZodError): string {
  const listed = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`);
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * body-parser's errors (too large, bad charset) carry a status and a type; Nest itself turns its
 * JSON syntax errors into a 400 BadRequestException before filters see them.
 */
interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
  limit?: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' && typeof (error as BodyParserError).status === 'number';
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The error answer for anything a request handler throws: validation and HTTP errors keep their
 * status, Kafka errors get a status by their code, and the rest is a 500 without details (the
 * caller logs it). `expected` is false for those 500s.
 */
export function errorBodyOf(error: unknown): ErrorBody & { expected: boolean } {
  if (error instanceof ZodValidationException) {
    const zodError = error.getZodError();
    return { error_code: HttpStatus.BAD_REQUEST, message: zodError instanceof z.ZodError ? describeZodError(zodError) : 'validation failed', expected: true };
  }
  if (error instanceof z.ZodError) return { error_code: HttpStatus.BAD_REQUEST, message: describeZodError(error), expected: true };
  if (error instanceof HttpException) return { error_code: error.getStatus(), message: httpExceptionMessage(error), expected: error.getStatus() < 500 };
  if (isBodyParserError(error)) {
    if (error.type === 'entity.too.large') return { error_code: HttpStatus.PAYLOAD_TOO_LARGE, message: `the request body is larger than the limit of ${error.limit} bytes`, expected: true };
    if (error.expose) return { error_code: error.status, message: error.message, expected: true };
  }
  if (error instanceof KafkaProtocolError) {
    const status = httpStatusOfKafkaError(error);
    return { error_code: status, message: error.message.includes(error.errorName) ? error.message : `${error.errorName}: ${error.message}`, expected: status < 500 };
  }
  if (error instanceof ConnectionError) return { error_code: HttpStatus.SERVICE_UNAVAILABLE, message: `the cluster is unreachable: ${error.message}`, expected: true };
  return { error_code: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal error', expected: false };
}
