import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { errorBodySchema } from './error-body';

class ErrorDto extends createZodDto(errorBodySchema) {}

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Malformed request; the message names the field',
  [HttpStatus.UNAUTHORIZED]: 'Missing or unknown API key or bearer token',
  [HttpStatus.FORBIDDEN]: "The principal's ACL does not allow it",
  [HttpStatus.NOT_FOUND]: 'Unknown cluster, topic, partition, group or instance',
  [HttpStatus.CONFLICT]: 'Conflicts with the current state',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The body is larger than the limit',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'The body is not application/json (nor application/x-ndjson, which a produce stream may be)',
  [HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE]: 'The offset is outside the log',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Well-formed but invalid (bad base64, partition out of range)',
  [HttpStatus.TOO_MANY_REQUESTS]: 'A limit was reached',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'The cluster cannot answer right now; retry',
};

/** Documents the error answers of a route (always 401, 403 and 503 besides `statuses`), all with the Error body. */
export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([HttpStatus.UNAUTHORIZED, HttpStatus.FORBIDDEN, HttpStatus.SERVICE_UNAVAILABLE, ...statuses])].sort((a, b) => a - b);
  return applyDecorators(...all.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorDto.Output })));
}
