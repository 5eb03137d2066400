import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

const DEFAULT_HTTP_PORT = 9645;

export async function main(): Promise<void> {
  const httpPort = Number(process.env.BROKER_HTTP_PORT ?? DEFAULT_HTTP_PORT);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    throw new Error(`BROKER_HTTP_PORT must be a port number, got "${process.env.BROKER_HTTP_PORT}"`);
  }
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(httpPort, '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(JSON.stringify({ level: 'info', msg: 'broker listening', http: address.port }) + '\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
