import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@tributary/platform';
import { AppModule } from './app.module';
import { BrokerRuntime } from './broker-runtime';
import { brokerConfigSchema } from './config';

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const config = loadConfig(brokerConfigSchema, { argv, env, envPrefix: 'BROKER' });
  const logger = new ConsoleLogger({ json: true, logLevels: ['log', 'error', 'warn'] });
  const app = await NestFactory.create(AppModule.forRoot(config, logger), { logger });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.host);
  const runtime = app.get(BrokerRuntime);
  const address = app.getHttpServer().address();
  logger.log({ msg: 'broker listening', nodeId: config.nodeId, kafka: `${config.host}:${runtime.kafkaPort}`, http: `http://${config.host}:${address.port}` }, 'Broker');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`broker failed to start: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
