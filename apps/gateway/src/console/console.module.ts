import { Module } from '@nestjs/common';
import { ConsoleBundle } from './console-bundle';
import { ConsoleController } from './console.controller';

/** The web console (docs/console.md), served at /console. */
@Module({ providers: [ConsoleBundle], controllers: [ConsoleController] })
export class ConsoleModule {}
