import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, TributaryRpcStrategy, loadConfig } from '@tributary/platform';
import { AppModule } from './app.module';
import { controllerConfigSchema } from './config';

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const config = loadConfig(controllerConfigSchema, { argv, env, envPrefix: 'CONTROLLER' });
  const self = config.voters.find((v) => v.id === config.nodeId);
  if (!self) throw new ConfigError([`nodeId ${config.nodeId} is not among the voters`]);
  const logger = new ConsoleLogger({ json: true, logLevels: ['log', 'error', 'warn'] });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: new TributaryRpcStrategy({ host: self.host, port: self.port }) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.host);
  const address = app.getHttpServer().address();
  logger.log({ msg: 'controller listening', nodeId: config.nodeId, rpc: `${self.host}:${self.port}`, http: `http://${config.host}:${address.port}` }, 'Controller');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`controller failed to start: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
