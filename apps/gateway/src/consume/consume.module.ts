import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PartitionReader } from './partition-reader';
import { PartitionRecordsController } from './partition-records.controller';

/** Stateless consuming over REST: records by partition and offset, and offsets. */
@Module({ imports: [AuthModule], controllers: [PartitionRecordsController], providers: [PartitionReader], exports: [PartitionReader] })
export class ConsumeModule {}
