/**
 * What a produce stream's body holds, value by value: the text of a JSON object (a record to
 * produce), a value that cannot be one and why, or a value over the size limit.
 */
export type JsonValueItem = { json: string } | { invalid: string } | { tooLong: true };

// scanner states; the grammar is JSON's (RFC 8259), byte by byte
const TOP = 0; // between values: whitespace, then the start of the next one
const VALUE = 1; // after ':' or an array's ','
const ARRAY_FIRST = 2; // after '[': a value or ']'
const OBJECT_FIRST = 3; // after '{': a key or '}'
const KEY = 4; // after an object's ','
const COLON = 5; // after a key
const AFTER_MEMBER = 6; // after a value inside an object or array: ',' or its closing bracket
const STRING = 7;
const STRING_ESCAPE = 8;
const STRING_UNICODE = 9;
const NUMBER_MINUS = 10; // '-': a digit must follow
const NUMBER_ZERO = 11; // a leading '0': no more integer digits
const NUMBER_INT = 12;
const NUMBER_DOT = 13; // '.': a digit must follow
const NUMBER_FRACTION = 14;
const NUMBER_E = 15; // 'e': a sign or a digit must follow
const NUMBER_EXPONENT_SIGN = 16; // a digit must follow
const NUMBER_EXPONENT = 17;
const LITERAL = 18; // true, false, null
const SKIP = 19; // after a syntax error: the rest of the bad value
const SKIP_STRING = 20;
const SKIP_STRING_ESCAPE = 21;

const OBJECT = 0;
const ARRAY = 1;
/** Objects and arrays open at once in a record: deeper is a bad value (and keeps the scanner's stack bounded). */
export const MAX_NESTING_DEPTH = 1_000;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON_BYTE = 0x3a;
const MINUS = 0x2d;
const DOT = 0x2e;

/** What some editors (Windows PowerShell's Out-File, Notepad) put at the start of a UTF-8 file: skipped there. */
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

const isWhitespace = (b: number) => b === 0x20 || b === NEWLINE || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isHex = (b: number) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const ESCAPABLE = new Set([...'"\\/bfnrtu'].map((c) => c.charCodeAt(0)));
const LITERALS = new Map([...['true', 'false', 'null'].map((word) => [word.charCodeAt(0), Buffer.from(word)] as const)]);

/**
 * Splits a body into top-level JSON values as its chunks arrive, the way the REST Proxy's streaming
 * mode reads one: values back to back or separated by any whitespace (one per line as NDJSON,
 * pretty-printed over many lines, or concatenated with nothing between them).
 *
 * Each byte is scanned once, with JSON's grammar, so a value ends exactly where its closing brace
 * is, whatever strings (with escaped quotes, braces or multibyte characters split across chunks)
 * it holds. A UTF-8 byte order mark at the start of the body is skipped. A value is buffered up
 * to `maxValueBytes`; a longer one is scanned to its end (as a bad value is, below) without being
 * kept, and reported once as `tooLong`. Values nest at most MAX_NESTING_DEPTH deep. A value that is not an object, or not JSON, is one `invalid` item. After a syntax error the bad value is skipped (string-aware) until its brackets
 * balance, or until a line starts with '{' (the next NDJSON line or unindented object), whichever
 * comes first; the stream then goes on from there. When neither comes (say a brace never closed
 * on a single line), everything up to the end of the body is that one bad value.
 */
export class JsonValueSplitter {
  private state = TOP;
  /** The open objects and arrays of the current value, innermost last. */
  private readonly containers: number[] = [];
  private stringIsKey = false;
  private unicodeDigitsLeft = 0;
  private literal: Buffer = Buffer.alloc(0);
  private literalMatched = 0;
  /** The brackets still open in a bad value being skipped. */
  private skipDepth = 0;

  private inValue = false;
  /** What the current value is, from its first byte ('{' for a record). */
  private valueFirstByte = 0;
  /** The bytes of the current value in earlier chunks (only while it is an object within the limit). */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;
  /** Where the current value starts in the current chunk (0 when it began in an earlier one). */
  private valueStart = 0;
  private oversized = false;
  private error: string | null = null;
  private lastByteOfPreviousChunk = NEWLINE;
  private bodyBytesBefore = 0;
  /** Bytes of a byte order mark read at the start of the body. */
  private byteOrderMarkBytes = 0;

  constructor(private readonly maxValueBytes: number) {}

  /** The values that end in `chunk` (a value ending at a chunk's last byte included). */
  push(chunk: Buffer): JsonValueItem[] {
    const out: JsonValueItem[] = [];
    this.valueStart = 0;
    let i = 0;
    while (i < chunk.length) {
      const b = chunk[i];
      switch (this.state) {
        case TOP:
          if (isWhitespace(b)) break;
          if (this.bodyBytesBefore + i === this.byteOrderMarkBytes && b === BYTE_ORDER_MARK[this.byteOrderMarkBytes]) {
            this.byteOrderMarkBytes++;
            break;
          }
          this.startValue(i, b);
          if (!this.startScalarOrContainer(b)) {
            this.fail(`unexpected ${describe(b)} where a record should start`, i, SKIP);
            continue;
          }
          break;
        case VALUE:
          if (isWhitespace(b)) break;
          if (this.tooDeep(b)) {
            this.fail(`a value nested deeper than ${MAX_NESTING_DEPTH} levels`, i, SKIP);
            continue;
          }
          if (!this.startScalarOrContainer(b)) {
            this.fail(`unexpected ${describe(b)} where a value should be`, i, SKIP);
            continue;
          }
          break;
        case ARRAY_FIRST:
          if (isWhitespace(b)) break;
          if (b === CLOSE_BRACKET) this.closeContainer(out, chunk, i);
          else if (this.tooDeep(b)) {
            this.fail(`a value nested deeper than ${MAX_NESTING_DEPTH} levels`, i, SKIP);
            continue;
          } else if (!this.startScalarOrContainer(b)) {
            this.fail(`unexpected ${describe(b)} where a value or ']' should be`, i, SKIP);
            continue;
          }
          break;
        case OBJECT_FIRST:
        case KEY:
          if (isWhitespace(b)) break;
          if (b === QUOTE) {
            this.stringIsKey = true;
            this.state = STRING;
          } else if (b === CLOSE_BRACE && this.state === OBJECT_FIRST) this.closeContainer(out, chunk, i);
          else {
            this.fail(`unexpected ${describe(b)} where a key should be`, i, SKIP);
            continue;
          }
          break;
        case COLON:
          if (isWhitespace(b)) break;
          if (b === COLON_BYTE) this.state = VALUE;
          else {
            this.fail(`unexpected ${describe(b)} where ':' should be`, i, SKIP);
            continue;
          }
          break;
        case AFTER_MEMBER: {
          if (isWhitespace(b)) break;
          const inObject = this.containers[this.containers.length - 1] === OBJECT;
          if (b === COMMA) this.state = inObject ? KEY : VALUE;
          else if (b === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) this.closeContainer(out, chunk, i);
          else {
            this.fail(`unexpected ${describe(b)} where ',' or '${inObject ? '}' : ']'}' should be`, i, SKIP);
            continue;
          }
          break;
        }
        case STRING: {
          // the body of a string is most of a record: run through it without the switch
          while (i < chunk.length && chunk[i] !== QUOTE && chunk[i] !== BACKSLASH && chunk[i] >= 0x20) i++;
          if (i === chunk.length) continue;
          const c = chunk[i];
          if (c === QUOTE) {
            if (this.stringIsKey) this.state = COLON;
            else this.scalarDone(out, chunk, i);
          } else if (c === BACKSLASH) this.state = STRING_ESCAPE;
          else {
            this.fail(`a control character (${describe(c)}) inside a string`, i, SKIP);
            continue;
          }
          break;
        }
        case STRING_ESCAPE:
          if (b === 0x75) {
            this.state = STRING_UNICODE;
            this.unicodeDigitsLeft = 4;
          } else if (ESCAPABLE.has(b)) this.state = STRING;
          else {
            this.fail(`an unknown escape (\\ then ${describe(b)}) inside a string`, i, SKIP_STRING);
            continue;
          }
          break;
        case STRING_UNICODE:
          if (!isHex(b)) {
            this.fail(`${describe(b)} inside a \\u escape`, i, SKIP_STRING);
            continue;
          }
          else if (--this.unicodeDigitsLeft === 0) this.state = STRING;
          break;
        case NUMBER_MINUS:
          if (b === 0x30) this.state = NUMBER_ZERO;
          else if (isDigit(b)) this.state = NUMBER_INT;
          else {
            this.fail(`unexpected ${describe(b)} after '-'`, i, SKIP);
            continue;
          }
          break;
        case NUMBER_INT:
        case NUMBER_ZERO:
          if (isDigit(b)) {
            if (this.state === NUMBER_INT) break;
            this.fail('a number with a leading zero', i, SKIP);
            continue;
          }
          if (b === DOT) this.state = NUMBER_DOT;
          else if (b === 0x65 || b === 0x45) this.state = NUMBER_E;
          else {
            // the number ended at the byte before: this byte belongs to what follows it
            this.numberDone(out, chunk, i);
            continue;
          }
          break;
        case NUMBER_DOT:
          if (isDigit(b)) this.state = NUMBER_FRACTION;
          else {
            this.fail(`unexpected ${describe(b)} after a decimal point`, i, SKIP);
            continue;
          }
          break;
        case NUMBER_FRACTION:
          if (isDigit(b)) break;
          if (b === 0x65 || b === 0x45) this.state = NUMBER_E;
          else {
            this.numberDone(out, chunk, i);
            continue;
          }
          break;
        case NUMBER_E:
          if (b === 0x2b || b === MINUS) this.state = NUMBER_EXPONENT_SIGN;
          else if (isDigit(b)) this.state = NUMBER_EXPONENT;
          else {
            this.fail(`unexpected ${describe(b)} in an exponent`, i, SKIP);
            continue;
          }
          break;
        case NUMBER_EXPONENT_SIGN:
          if (isDigit(b)) this.state = NUMBER_EXPONENT;
          else {
            this.fail(`unexpected ${describe(b)} in an exponent`, i, SKIP);
            continue;
          }
          break;
        case NUMBER_EXPONENT:
          if (isDigit(b)) break;
          this.numberDone(out, chunk, i);
          continue;
        case LITERAL:
          if (b !== this.literal[this.literalMatched]) {
            this.fail(`unexpected ${describe(b)} in ${this.literal.toString()}`, i, SKIP);
            continue;
          }
          else if (++this.literalMatched === this.literal.length) this.scalarDone(out, chunk, i);
          break;
        case SKIP:
          if (b === OPEN_BRACE && (this.skipDepth === 0 || (i > 0 ? chunk[i - 1] : this.lastByteOfPreviousChunk) === NEWLINE)) {
            // the next record starts here: the bad value ended at the byte before
            this.endValue(out, chunk, i - 1);
            continue;
          }
          if (b === QUOTE) this.state = SKIP_STRING;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.skipDepth++;
          else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && this.skipDepth > 0 && --this.skipDepth === 0) this.endValue(out, chunk, i);
          break;
        case SKIP_STRING:
          // a JSON string never holds a raw newline: one in a bad value ends the string it was in
          if (b === QUOTE || b === NEWLINE) this.state = SKIP;
          else if (b === BACKSLASH) this.state = SKIP_STRING_ESCAPE;
          break;
        case SKIP_STRING_ESCAPE:
          this.state = b === NEWLINE ? SKIP : SKIP_STRING;
          break;
      }
      i++;
    }
    if (this.inValue) this.keepRestOfChunk(chunk);
    this.lastByteOfPreviousChunk = chunk.length > 0 ? chunk[chunk.length - 1] : this.lastByteOfPreviousChunk;
    this.bodyBytesBefore += chunk.length;
    return out;
  }

  /** What the end of the body leaves: the value in progress, if any (a number may end here; anything else is cut short). */
  end(): JsonValueItem[] {
    const out: JsonValueItem[] = [];
    if (!this.inValue) return out;
    const empty = Buffer.alloc(0);
    this.valueStart = 0;
    const numberComplete = this.state === NUMBER_ZERO || this.state === NUMBER_INT || this.state === NUMBER_FRACTION || this.state === NUMBER_EXPONENT;
    if (numberComplete && this.containers.length === 0) this.numberDone(out, empty, 0);
    else {
      this.error ??= `not valid JSON: ${this.containers.length > 0 ? `the body ended before the value's closing '${this.containers[0] === OBJECT ? '}' : ']'}'` : 'the body ended inside the value'}`;
      this.endValue(out, empty, -1);
    }
    return out;
  }

  private startValue(i: number, firstByte: number): void {
    this.inValue = true;
    this.valueFirstByte = firstByte;
    this.valueStart = i;
    this.pieces = [];
    this.piecesBytes = 0;
    this.oversized = false;
    this.error = null;
  }

  private tooDeep(b: number): boolean {
    return (b === OPEN_BRACE || b === OPEN_BRACKET) && this.containers.length >= MAX_NESTING_DEPTH;
  }

  /** Enters the value that starts with `b`; false when no value starts so. */
  private startScalarOrContainer(b: number): boolean {
    if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      this.containers.push(b === OPEN_BRACE ? OBJECT : ARRAY);
      this.state = b === OPEN_BRACE ? OBJECT_FIRST : ARRAY_FIRST;
    } else if (b === QUOTE) {
      this.stringIsKey = false;
      this.state = STRING;
    } else if (b === MINUS) this.state = NUMBER_MINUS;
    else if (b === 0x30) this.state = NUMBER_ZERO;
    else if (isDigit(b)) this.state = NUMBER_INT;
    else if (LITERALS.has(b)) {
      this.literal = LITERALS.get(b)!;
      this.literalMatched = 1;
      this.state = LITERAL;
    } else return false;
    return true;
  }

  private closeContainer(out: JsonValueItem[], chunk: Buffer, i: number): void {
    this.containers.pop();
    this.scalarDone(out, chunk, i);
  }

  /** A value ended at byte `last` (inclusive): the record ends with it, or its container goes on. */
  private scalarDone(out: JsonValueItem[], chunk: Buffer, last: number): void {
    if (this.containers.length === 0) this.endValue(out, chunk, last);
    else this.state = AFTER_MEMBER;
  }

  /** A number ended just before byte `next`. */
  private numberDone(out: JsonValueItem[], chunk: Buffer, next: number): void {
    this.scalarDone(out, chunk, next - 1);
  }

  /** Makes the current value a bad one, whose rest (from byte `i` on, read again by the caller) `state` skips. */
  private fail(reason: string, i: number, state: typeof SKIP | typeof SKIP_STRING): void {
    this.error = `not valid JSON: ${reason} at byte ${this.piecesBytes + i - this.valueStart + 1} of the record`;
    this.skipDepth = this.containers.length;
    this.containers.length = 0;
    this.state = state;
  }

  /** The current value ends at byte `last` of `chunk` (inclusive; -1 when it ended in an earlier chunk). */
  private endValue(out: JsonValueItem[], chunk: Buffer, last: number): void {
    const bytes = this.piecesBytes + (last + 1 - this.valueStart);
    if (this.oversized || bytes > this.maxValueBytes) out.push({ tooLong: true });
    else if (this.error !== null) out.push({ invalid: this.error });
    else if (this.valueFirstByte !== OPEN_BRACE) out.push({ invalid: `a record must be a JSON object, not ${kindOf(this.valueFirstByte)}` });
    else {
      const tail = chunk.subarray(this.valueStart, last + 1);
      out.push({ json: this.pieces.length === 0 ? tail.toString('utf8') : Buffer.concat([...this.pieces, tail]).toString('utf8') });
    }
    this.inValue = false;
    this.pieces = [];
    this.piecesBytes = 0;
    this.containers.length = 0;
    this.state = TOP;
  }

  /** The value goes on in the next chunk: keeps this chunk's part while it may still become a record within the limit. */
  private keepRestOfChunk(chunk: Buffer): void {
    const rest = chunk.subarray(this.valueStart);
    this.piecesBytes += rest.length;
    if (this.piecesBytes > this.maxValueBytes && !this.oversized) {
      this.oversized = true;
      this.skipToEnd();
    }
    if (this.oversized || this.error !== null || this.valueFirstByte !== OPEN_BRACE) this.pieces = [];
    else this.pieces.push(rest);
  }

  /**
   * A value over the limit is answered as such whatever else is wrong with it: from here on only
   * where it ends matters, found as after a syntax error (string-aware bracket counting, no stack).
   */
  private skipToEnd(): void {
    if (this.state === STRING_ESCAPE) this.state = SKIP_STRING_ESCAPE;
    else if (this.state === STRING || this.state === STRING_UNICODE) this.state = SKIP_STRING;
    else if (this.state !== SKIP && this.state !== SKIP_STRING && this.state !== SKIP_STRING_ESCAPE) this.state = SKIP;
    else return;
    this.skipDepth = this.containers.length;
    this.containers.length = 0;
  }
}

/** Splits an HTTP body (see JsonValueSplitter). */
export async function* jsonValues(body: AsyncIterable<Buffer>, maxValueBytes: number): AsyncGenerator<JsonValueItem> {
  const splitter = new JsonValueSplitter(maxValueBytes);
  for await (const chunk of body) yield* splitter.push(chunk);
  yield* splitter.end();
}

function describe(b: number): string {
  return b > 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

function kindOf(firstByte: number): string {
  if (firstByte === OPEN_BRACKET) return 'an array';
  if (firstByte === QUOTE) return 'a string';
  if (firstByte === 0x74 || firstByte === 0x66) return 'a boolean';
  if (firstByte === 0x6e) return 'null';
  return 'a number';
}
