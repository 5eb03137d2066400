import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConsumerInstances } from './consumer-instances';
import { ConsumerInstancesController } from './consumer-instances.controller';

/** Consumer groups over HTTP: consumer instances that poll, commit and expire when idle. */
@Module({ imports: [AuthModule], controllers: [ConsumerInstancesController], providers: [ConsumerInstances] })
export class ConsumersModule {}
