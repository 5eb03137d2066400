import { DynamicModule, Global, Module } from '@nestjs/common';
import { GatewayConfig } from '../config';
import { GATEWAY_CONFIG, KafkaService } from './kafka.service';

/** Provides the gateway config and the KafkaService to every feature module. */
@Global()
@Module({})
export class ClusterModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: ClusterModule, providers: [{ provide: GATEWAY_CONFIG, useValue: config }, KafkaService], exports: [GATEWAY_CONFIG, KafkaService] };
  }
}
