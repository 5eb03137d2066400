import { Cursor, MalformedRecordError, OffsetKey, decodeOffsetKey, putString } from './offset-records';

/**
 * Group membership records of __consumer_offsets, as Kafka writes them (so Kafka's own tools can
 * read them): key = GroupMetadataKey (int16 version 2, string group); value = GroupMetadataValue
 * v3 (int16 version, string protocolType, int32 generation, nullable string protocol, nullable
 * string leader, int64 currentStateTimestamp, int32-counted members: string memberId, nullable
 * string groupInstanceId, string clientId, string clientHost, int32 rebalanceTimeout, int32
 * sessionTimeout, int32-length bytes subscription, bytes assignment). Versions 0-2 are read too
 * (v0 lacks rebalanceTimeout, v0-1 currentStateTimestamp, v0-2 groupInstanceId). A null value is
 * the group's tombstone.
 */
export interface GroupMemberMetadata {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's selected protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  /** '' when the group never had one (Kafka writes the empty string). */
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** -1 when unknown (versions before 2). */
  currentStateTimestamp: number;
  members: GroupMemberMetadata[];
}

/** A __consumer_offsets record key, told apart by its version. */
export type CoordinatorKey = { kind: 'offset'; key: OffsetKey } | { kind: 'group'; group: string };

export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

/** Smallest encoding of one member (empty strings, null instance id, empty byte arrays), per value version. */
function minMemberBytes(version: number): number {
  return 2 + (version >= 3 ? 2 : 0) + 2 + 2 + (version >= 1 ? 4 : 0) + 4 + 4 + 4;
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const parts: Buffer[] = [Buffer.from([0, GROUP_METADATA_KEY_VERSION])];
  putString(parts, group);
  return Buffer.concat(parts);
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const int16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return b;
  };
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
  const parts: Buffer[] = [int16(GROUP_METADATA_VALUE_VERSION)];
  putString(parts, value.protocolType);
  parts.push(int32(value.generation));
  putString(parts, value.protocol);
  putString(parts, value.leader);
  parts.push(int64(value.currentStateTimestamp), int32(value.members.length));
  for (const m of value.members) {
    putString(parts, m.memberId);
    putString(parts, m.groupInstanceId);
    putString(parts, m.clientId);
    putString(parts, m.clientHost);
    parts.push(int32(m.rebalanceTimeoutMs), int32(m.sessionTimeoutMs), int32(m.subscription.length), m.subscription, int32(m.assignment.length), m.assignment);
  }
  return Buffer.concat(parts);
}

/**
 * Which record a key belongs to: offset keys are versions 0 and 1, group metadata keys version 2;
 * null for other kinds (newer coordinators' record types), which the loader skips.
 */
export function decodeCoordinatorKey(bytes: Buffer): CoordinatorKey | null {
  const version = new Cursor(bytes).int16();
  if (version === 0 || version === 1) {
    const key = decodeOffsetKey(bytes);
    return key ? { kind: 'offset', key } : null;
  }
  if (version === GROUP_METADATA_KEY_VERSION) {
    const cursor = new Cursor(bytes, 2);
    const group = cursor.nullableString();
    if (group === null) throw new MalformedRecordError('GroupMetadataKey with a null group');
    return { kind: 'group', group };
  }
  return null;
}

/** Decodes GroupMetadataValue v0-v3; anything malformed throws MalformedRecordError. */
export function decodeGroupMetadataValue(bytes: Buffer): GroupMetadataValue {
  const cursor = new Cursor(bytes);
  const version = cursor.int16();
  if (version < 0 || version > GROUP_METADATA_VALUE_VERSION) throw new MalformedRecordError(`unsupported GroupMetadataValue version ${version}`);
  const protocolType = required(cursor.nullableString(), 'protocolType');
  const generation = cursor.int32();
  const protocol = cursor.nullableString();
  const leader = cursor.nullableString();
  const currentStateTimestamp = version >= 2 ? cursor.int64() : -1;
  const count = cursor.int32();
  if (count < 0 || count * minMemberBytes(version) > cursor.remaining) throw new MalformedRecordError(`invalid member count ${count}`);
  const members: GroupMemberMetadata[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = required(cursor.nullableString(), 'memberId');
    const groupInstanceId = version >= 3 ? cursor.nullableString() : null;
    const clientId = required(cursor.nullableString(), 'clientId');
    const clientHost = required(cursor.nullableString(), 'clientHost');
    const rebalanceTimeoutMs = version >= 1 ? cursor.int32() : -1;
    const sessionTimeoutMs = cursor.int32();
    const subscription = cursor.bytes();
    const assignment = cursor.bytes();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

function required(value: string | null, field: string): string {
  if (value === null) throw new MalformedRecordError(`GroupMetadataValue ${field} is null`);
  return value;
}
