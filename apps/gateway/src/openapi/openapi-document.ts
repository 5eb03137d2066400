import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../auth/authenticated.decorator';
import { withPlainSchemaNames } from './schema-names';

/** Where the document and the interactive docs are served. */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * The OpenAPI 3 document of every controller of `app`, built from their decorators and zod
 * schemas. Deterministic for the same code: the committed SDK is generated from it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('Tributary gateway')
    .setDescription(
      'REST for Tributary, a Kafka-compatible event log. /v3 follows the Confluent REST Proxy v3 API (produce, topics, configs, ' +
        'consumer groups); /v1 adds consuming by offset, consumer instances and offsets. Errors are {"error_code", "message"}.',
    )
    .setOpenAPIVersion('3.1.0')
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, BEARER_SCHEME)
    .build();
  return withPlainSchemaNames(cleanupOpenApiDoc(SwaggerModule.createDocument(app, info)));
}

/** Serves the document at /openapi.json and Swagger UI at /docs. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });
}
