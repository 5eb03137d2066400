import { BATCH } from './batch-layout';
import { RecordBatchBuilder } from './record-batch-builder';
import { ConsumedRecord } from './record-batch';
import { CorruptRecordError } from './errors';

/**
 * Control records: the transaction markers a coordinator writes into each partition of a
 * transaction. Key: int16 version (0), int16 type. Value of an end marker: int16 version, int32
 * coordinator epoch.
 */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
}

export function controlRecordType(record: Pick<ConsumedRecord, 'key'>): ControlRecordType {
  if (!record.key || record.key.length < 4) throw new CorruptRecordError('control record without a 4-byte key');
  const type = record.key.readInt16BE(2);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) throw new CorruptRecordError(`unknown control record type ${type}`);
  return type;
}

/** An end-transaction marker batch for one producer (written by the broker on EndTxn). */
export function encodeEndTxnMarker(
  type: ControlRecordType,
  fields: { producerId: number; producerEpoch: number; coordinatorEpoch: number; timestamp?: number; partitionLeaderEpoch?: number },
): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(fields.coordinatorEpoch, 2);
  const builder = new RecordBatchBuilder(undefined, BATCH.HEADER_SIZE + 32);
  builder.append(key, value, fields.timestamp ?? Date.now());
  return builder.build({
    producerId: fields.producerId,
    producerEpoch: fields.producerEpoch,
    partitionLeaderEpoch: fields.partitionLeaderEpoch,
    transactional: true,
    control: true,
  });
}
