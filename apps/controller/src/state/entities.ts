import { Column, Entity, PrimaryColumn } from 'typeorm';

/** SQLite tables of the controller's materialised metadata (the Raft log is the source of truth). */

@Entity('topics')
export class TopicRow {
  @PrimaryColumn({ type: 'text' }) topicId!: string;
  @Column({ type: 'text', unique: true }) name!: string;
}

@Entity('partitions')
export class PartitionRow {
  @PrimaryColumn({ type: 'text' }) topicId!: string;
  @PrimaryColumn({ type: 'integer' }) partitionId!: number;
  @Column({ type: 'simple-json' }) replicas!: number[];
  @Column({ type: 'simple-json' }) isr!: number[];
  @Column({ type: 'integer' }) leader!: number;
  @Column({ type: 'integer' }) leaderEpoch!: number;
  @Column({ type: 'integer' }) partitionEpoch!: number;
}

@Entity('brokers')
export class BrokerRow {
  @PrimaryColumn({ type: 'integer' }) brokerId!: number;
  @Column({ type: 'text' }) incarnationId!: string;
  @Column({ type: 'integer' }) brokerEpoch!: number;
  @Column({ type: 'simple-json' }) endPoints!: { name: string; host: string; port: number; securityProtocol: string }[];
  @Column({ type: 'text', nullable: true }) rack!: string | null;
  @Column({ type: 'boolean' }) fenced!: boolean;
}

@Entity('configs')
export class ConfigRow {
  @PrimaryColumn({ type: 'text' }) resourceType!: string;
  @PrimaryColumn({ type: 'text' }) resourceName!: string;
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) value!: string;
}

@Entity('acls')
export class AclRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'integer' }) resourceType!: number;
  @Column({ type: 'text' }) resourceName!: string;
  @Column({ type: 'integer' }) patternType!: number;
  @Column({ type: 'text' }) principal!: string;
  @Column({ type: 'text' }) host!: string;
  @Column({ type: 'integer' }) operation!: number;
  @Column({ type: 'integer' }) permissionType!: number;
}

@Entity('features')
export class FeatureRow {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'integer' }) featureLevel!: number;
}

/** One row: where the materialised state stands in the metadata log. */
@Entity('applied_state')
export class AppliedStateRow {
  @PrimaryColumn({ type: 'integer' }) id!: number;
  @Column({ type: 'integer' }) appliedOffset!: number;
  @Column({ type: 'integer' }) nextProducerId!: number;
}

export const METADATA_ENTITIES = [TopicRow, PartitionRow, BrokerRow, ConfigRow, AclRow, FeatureRow, AppliedStateRow];
