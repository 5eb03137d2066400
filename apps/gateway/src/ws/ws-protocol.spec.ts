import { parseClientFrame } from './ws-protocol';

const parse = (frame: unknown) => parseClientFrame(typeof frame === 'string' ? frame : JSON.stringify(frame));

describe('parseClientFrame', () => {
  it('fills the defaults of a subscribe frame and turns an RFC 3339 start time into milliseconds', () => {
    expect(parse({ type: 'subscribe', id: 's', topics: ['t'], from: { timestamp: '2024-01-01T00:00:00+01:00' } })).toEqual({
      frame: { type: 'subscribe', id: 's', topics: ['t'], from: { timestamp: Date.UTC(2023, 11, 31, 23) }, credit: 0, key_format: 'string', value_format: 'string', header_format: 'string' },
    });
    expect(parse({ type: 'subscribe', id: 's', partitions: [{ topic: 't', partition: 2, offset: 7 }] })).toMatchObject({ frame: { from: 'latest', partitions: [{ topic: 't', partition: 2, offset: 7 }] } });
  });

  it('answers a frame with bad fields with a 400 naming each field, keeping its id', () => {
    expect(parse({ type: 'subscribe', id: 's', topics: ['bad topic'], credit: -1 })).toEqual({
      error: { type: 'error', id: 's', error_code: 400, message: 'topics.0: a topic name is 1-249 characters of [a-zA-Z0-9._-]; credit: Too small: expected number to be >=0' },
    });
    expect(parse({ type: 'subscribe', id: 's', group: 'g', partitions: [{ topic: 't', partition: 0 }] })).toMatchObject({ error: { message: 'partitions: a group subscription takes topics; the group assigns their partitions' } });
    expect(parse({ type: 'ack', id: 's', offsets: [] })).toMatchObject({ error: { message: expect.stringMatching(/^offsets: /) } });
    expect(parse({ type: 'credit', id: 's', records: 5, extra: true })).toMatchObject({ error: { message: 'credit: Unrecognized key: "extra"' } });
    expect(parse({ type: 'fly', id: 'f' })).toEqual({ error: { type: 'error', id: 'f', error_code: 400, message: 'type: expected one of subscribe, credit, ack, unsubscribe, produce, got "fly"' } });
    expect(parse({ id: 'f' })).toMatchObject({ error: { message: expect.stringContaining('got null') } });
  });

  it('calls a frame malformed when it is not a JSON object', () => {
    expect(parse('{"type":')).toEqual({ malformed: expect.stringMatching(/^not JSON: /) });
    expect(parse('[1, 2]')).toEqual({ malformed: 'a frame is a JSON object' });
    expect(parse('null')).toEqual({ malformed: 'a frame is a JSON object' });
  });
});
