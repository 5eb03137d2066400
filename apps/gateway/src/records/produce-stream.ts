import { HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorBody } from '../http/error-body';
import { errorBodyOf } from '../http/error-mapping';
import { jsonValues } from './json-values';

/** Records of one stream being produced at once; reading the body waits beyond it (back-pressure). */
export const MAX_STREAM_RECORDS_IN_FLIGHT = 1_000;

/** The media type of newline-delimited JSON: a produce stream's body may declare it, and its answer is one. */
export const NDJSON = 'application/x-ndjson';

/**
 * A POST to .../records is a stream when it is chunked or declares application/x-ndjson: JSON
 * records one after another (one per line, pretty-printed, or back to back), each answered in
 * order with its own delivery report line, for as long as the connection stays open (the REST
 * Proxy's streaming mode). Its body is read here,
 * not by the JSON body parser. The body must still be application/json or application/x-ndjson
 * (see isStreamMediaType); anything else is a 415 before any handler runs.
 */
export function isProduceStream(request: Request): boolean {
  if (request.method !== 'POST' || !/\/records\/?$/.test(request.path)) return false;
  return /\bchunked\b/i.test(request.headers['transfer-encoding'] ?? '') || request.is(NDJSON) === NDJSON;
}

/** A produce stream's body declared as NDJSON (JSON, the other type a stream may have, is accepted everywhere). */
export function isNdjsonProduceStream(request: Request): boolean {
  return isProduceStream(request) && request.is(NDJSON) === NDJSON;
}

/**
 * Answers a produce stream: each record goes through `produce` (parse, validate, send) as soon as
 * its closing brace is read, and its result (or `{"error_code", "message"}`) is written in order as
 * soon as it and every earlier one are settled, so a client may wait for each report before
 * sending more. A record over `maxRecordBytes` is a 413 and a value that is not a JSON object a
 * 400, each in its place; the stream goes on after them (see JsonValueSplitter).
 */
export async function answerProduceStream(request: Request, response: Response, maxRecordBytes: number, produce: (json: unknown) => Promise<object>): Promise<void> {
  response.status(HttpStatus.OK).setHeader('Content-Type', NDJSON);
  response.flushHeaders();
  let inFlight = 0;
  let slotFreed: (() => void) | null = null;
  let written: Promise<void> = Promise.resolve();
  const writeInOrder = (result: Promise<object>) => {
    written = written.then(async () => {
      const line = `${JSON.stringify(await result)}\n`;
      inFlight--;
      slotFreed?.();
      if (!response.write(line) && !response.destroyed) await new Promise((resolve) => response.once('drain', resolve));
    });
  };
  for await (const item of jsonValues(request, maxRecordBytes)) {
    if (response.destroyed) break;
    while (inFlight >= MAX_STREAM_RECORDS_IN_FLIGHT) await new Promise<void>((resolve) => (slotFreed = resolve));
    inFlight++;
    if ('json' in item) writeInOrder(settle(item.json, produce));
    else writeInOrder(Promise.resolve('tooLong' in item ? tooLarge(maxRecordBytes) : notARecord(item.invalid)));
  }
  await written;
  response.end();
}

function tooLarge(maxRecordBytes: number): ErrorBody {
  return { error_code: HttpStatus.PAYLOAD_TOO_LARGE, message: `the record is larger than the limit of ${maxRecordBytes} bytes` };
}

function notARecord(reason: string): ErrorBody {
  return { error_code: HttpStatus.BAD_REQUEST, message: `body: ${reason}` };
}

async function settle(text: string, produce: (json: unknown) => Promise<object>): Promise<object> {
  try {
    let json: unknown;
    try {
      // the splitter has checked the grammar; this is what turns the text into values
      json = JSON.parse(text);
    } catch (error) {
      return { error_code: HttpStatus.BAD_REQUEST, message: `body: not valid JSON (${(error as Error).message})` };
    }
    return await produce(json);
  } catch (error) {
    const { expected, ...body } = errorBodyOf(error);
    if (!expected) new Logger('Gateway').error({ msg: 'streamed record failed', error: error instanceof Error ? error.stack : String(error) });
    return body;
  }
}
