import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig } from '@tributary/platform';
import { AppModule } from './app.module';
import { gatewayConfigSchema } from './config';
import { configureHttp } from './http/configure-http';

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const config = loadConfig(gatewayConfigSchema, { argv, env, envPrefix: 'GATEWAY' });
  const logger = new ConsoleLogger({ json: true, logLevels: ['log', 'error', 'warn'] });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false });
  configureHttp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log({ msg: 'gateway listening', http: `http://${config.host}:${port}` }, 'Gateway');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error);
    process.stderr.write(`gateway failed to start: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
