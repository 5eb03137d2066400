import { OpenAPIObject } from '@nestjs/swagger';
import { withPlainSchemaNames } from './schema-names';

describe('withPlainSchemaNames', () => {
  it('drops the Dto and _Output suffixes from schema names and their references, unless two schemas would collide', () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { get: { responses: { '200': { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/TopicDto_Output' } } } } } } } },
      components: {
        schemas: {
          TopicDto_Output: { type: 'object', properties: { error: { $ref: '#/components/schemas/ErrorDto_Output' } } },
          ErrorDto_Output: { type: 'object' },
          ConfigDto: { type: 'object' },
          ConfigDto_Output: { type: 'object' },
        },
      },
    } as unknown as OpenAPIObject;
    const renamed = withPlainSchemaNames(document);
    expect(Object.keys(renamed.components?.schemas ?? {})).toEqual(['Topic', 'Error', 'ConfigDto', 'ConfigDto_Output']);
    expect(JSON.stringify(renamed.paths)).toContain('"#/components/schemas/Topic"');
    expect(JSON.stringify(renamed.components)).toContain('"#/components/schemas/Error"');
  });
});
