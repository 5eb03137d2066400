import {
  GroupMetadataValue,
  decodeCoordinatorKey,
  decodeGroupMetadataValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
} from './group-metadata-records';
import { MalformedRecordError, decodeOffsetValue, encodeOffsetKey, encodeOffsetValue } from './offset-records';

/** Kafka's field encodings written out by hand, to check the layout byte for byte. */
const int16 = (v: number) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const int64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
};
const str = (s: string | null) => (s === null ? int16(-1) : Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]));
const bytes = (b: Buffer) => Buffer.concat([int32(b.length), b]);

const value: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 7,
  protocol: 'range',
  leader: 'm1',
  currentStateTimestamp: 1_700_000_000_123,
  members: [
    { memberId: 'm1', groupInstanceId: null, clientId: 'c1', clientHost: '/10.0.0.1', rebalanceTimeoutMs: 300_000, sessionTimeoutMs: 10_000, subscription: Buffer.from([0, 1, 2]), assignment: Buffer.from([9]) },
    { memberId: 'm2-é', groupInstanceId: 'instance-2', clientId: 'c2', clientHost: '/10.0.0.2', rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 45_000, subscription: Buffer.alloc(0), assignment: Buffer.from('p1') },
  ],
};

describe('GroupMetadata records (__consumer_offsets)', () => {
  it('encodes GroupMetadataKey v2 and GroupMetadataValue v3 with Kafka layout, and decodes them back', () => {
    const key = encodeGroupMetadataKey('orders-app');
    expect(key).toEqual(Buffer.concat([int16(2), str('orders-app')]));
    expect(decodeCoordinatorKey(key)).toEqual({ kind: 'group', group: 'orders-app' });

    const encoded = encodeGroupMetadataValue(value);
    const member = (m: GroupMetadataValue['members'][number]) =>
      Buffer.concat([str(m.memberId), str(m.groupInstanceId), str(m.clientId), str(m.clientHost), int32(m.rebalanceTimeoutMs), int32(m.sessionTimeoutMs), bytes(m.subscription), bytes(m.assignment)]);
    expect(encoded).toEqual(
      Buffer.concat([int16(3), str('consumer'), int32(7), str('range'), str('m1'), int64(1_700_000_000_123), int32(2), member(value.members[0]), member(value.members[1])]),
    );
    expect(decodeGroupMetadataValue(encoded)).toEqual(value);

    const empty: GroupMetadataValue = { protocolType: 'consumer', generation: 8, protocol: null, leader: null, currentStateTimestamp: 5, members: [] };
    expect(encodeGroupMetadataValue(empty)).toEqual(Buffer.concat([int16(3), str('consumer'), int32(8), int16(-1), int16(-1), int64(5), int32(0)]));
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(empty))).toEqual(empty);
  });

  it('tells offset keys (versions 0 and 1) from group keys (version 2) and ignores other key kinds', () => {
    expect(decodeCoordinatorKey(encodeOffsetKey({ group: 'g', topic: 't', partition: 3 }))).toEqual({ kind: 'offset', key: { group: 'g', topic: 't', partition: 3 } });
    expect(decodeCoordinatorKey(Buffer.concat([int16(0), str('g'), str('t'), int32(1)]))).toEqual({ kind: 'offset', key: { group: 'g', topic: 't', partition: 1 } });
    expect(decodeCoordinatorKey(Buffer.concat([int16(3), str('g')]))).toBeNull();
  });

  it('reads the older GroupMetadataValue versions Kafka wrote (v0: no rebalance timeout, timestamp or instance id)', () => {
    const v0 = Buffer.concat([int16(0), str('consumer'), int32(2), str('range'), str('m1'), int32(1), str('m1'), str('c1'), str('/h'), int32(30_000), bytes(Buffer.from('s')), bytes(Buffer.from('a'))]);
    expect(decodeGroupMetadataValue(v0)).toEqual({
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: -1,
      members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c1', clientHost: '/h', rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 30_000, subscription: Buffer.from('s'), assignment: Buffer.from('a') }],
    });
  });

  it('rejects malformed values with MalformedRecordError, validating lengths before reading', () => {
    const encoded = encodeGroupMetadataValue(value);
    // every truncation of a valid value
    for (let length = 0; length < encoded.length; length++) {
      expect(() => decodeGroupMetadataValue(encoded.subarray(0, length))).toThrow(MalformedRecordError);
    }
    const head = (count: number) => Buffer.concat([int16(3), str('consumer'), int32(1), str('range'), str('m1'), int64(0), int32(count)]);
    // a member count far beyond the bytes that follow is refused before any member is read
    expect(() => decodeGroupMetadataValue(head(0x7fffffff))).toThrow(/invalid member count/);
    expect(() => decodeGroupMetadataValue(head(-1))).toThrow(MalformedRecordError);
    const memberWith = (subscriptionLength: Buffer) =>
      Buffer.concat([head(1), str('m1'), str(null), str('c'), str('/h'), int32(1), int32(1), subscriptionLength, Buffer.alloc(32)]);
    expect(() => decodeGroupMetadataValue(memberWith(int32(-5)))).toThrow(/invalid bytes length/);
    expect(() => decodeGroupMetadataValue(memberWith(int32(0x7ffffff0)))).toThrow(MalformedRecordError);
    // bad string lengths and nulls where Kafka's schema has none
    expect(() => decodeGroupMetadataValue(Buffer.concat([int16(3), int16(-2)]))).toThrow(/invalid string length/);
    expect(() => decodeGroupMetadataValue(Buffer.concat([int16(3), str(null), int32(1)]))).toThrow(/protocolType is null/);
    expect(() => decodeGroupMetadataValue(Buffer.concat([head(1), str(null), Buffer.alloc(32)]))).toThrow(/memberId is null/);
    // versions this broker does not know (v4 is Kafka's flexible encoding)
    expect(() => decodeGroupMetadataValue(Buffer.concat([int16(4), encoded.subarray(2)]))).toThrow(/unsupported GroupMetadataValue version 4/);
    expect(() => decodeGroupMetadataValue(Buffer.concat([int16(-1)]))).toThrow(MalformedRecordError);
    // keys and offset values too
    expect(() => decodeCoordinatorKey(Buffer.from([0]))).toThrow(MalformedRecordError);
    expect(() => decodeCoordinatorKey(Buffer.concat([int16(2), int16(100), Buffer.from('short')]))).toThrow(MalformedRecordError);
    expect(() => decodeCoordinatorKey(Buffer.concat([int16(2), str(null)]))).toThrow(MalformedRecordError);
    const offsetValue = encodeOffsetValue({ offset: 1, leaderEpoch: 0, metadata: 'm', commitTimestamp: 2 });
    expect(() => decodeOffsetValue(offsetValue.subarray(0, offsetValue.length - 1))).toThrow(MalformedRecordError);
  });
});
