import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WsAuthenticator } from './ws-authenticator';
import { WsEndpoint } from './ws-endpoint';
import { FanoutHub } from './fanout/fanout-hub';

/** The WebSocket endpoint /v1/ws (docs/websocket.md); the KafkaService comes from the global ClusterModule. */
@Module({ imports: [AuthModule], providers: [WsAuthenticator, WsEndpoint, FanoutHub] })
export class WsModule {}
