import { Module } from '@nestjs/common';
import { ApiAuthGuard } from './api-auth.guard';
import { Credentials } from './credentials';
import { TopicAuthorizer } from './topic-authorizer';

/** API keys and bearer tokens -> principals, and the per-principal topic ACL. */
@Module({ providers: [Credentials, TopicAuthorizer, ApiAuthGuard], exports: [Credentials, TopicAuthorizer, ApiAuthGuard] })
export class AuthModule {}
