import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import * as fs from 'node:fs';
import { AppModule } from '../app.module';
import { gatewayConfigSchema } from '../config';
import { buildOpenApiDocument } from './openapi-document';

/**
 * Writes the gateway's OpenAPI document to the file named by the first argument (stdout without
 * one), built in this process from the Nest app: no cluster, no listening socket. The SDK
 * generator (tools/sdk/generate.ts) runs it.
 */
async function exportOpenApi(target: string | undefined): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(gatewayConfigSchema.parse({})), { logger: false, bodyParser: false });
  const json = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (target) fs.writeFileSync(target, json);
  else process.stdout.write(json);
}

exportOpenApi(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`cannot build the OpenAPI document: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
