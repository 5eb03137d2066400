import { OpenAPIObject } from '@nestjs/swagger';

const COMPONENT_REF = '#/components/schemas/';

/** "ProduceResponseDto_Output" -> "ProduceResponse"; "ProduceRequestDto" -> "ProduceRequest". */
function plainName(name: string): string {
  return name.replace(/_Output$/, '').replace(/Dto$/, '');
}

/**
 * Component schemas named as the SDK should name its types. nestjs-zod names them after the DTO
 * class with an `_Output` suffix for responses, and with zod >= 4.5 a `.meta({ id })` on a DTO's
 * own schema cannot replace that (nestjs-zod issues #312 and #475). A name is shortened only when
 * no other schema shortens to the same one, so no type is ever merged with another.
 */
export function withPlainSchemaNames(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const names = Object.keys(schemas);
  const taken = new Map<string, number>();
  for (const name of names) taken.set(plainName(name), (taken.get(plainName(name)) ?? 0) + 1);
  const renames = new Map(names.filter((name) => plainName(name) !== name && taken.get(plainName(name)) === 1).map((name) => [name, plainName(name)]));
  const renamed = JSON.stringify(document, (key, value: unknown) => {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
      const target = value.slice(COMPONENT_REF.length);
      return COMPONENT_REF + (renames.get(target) ?? target);
    }
    if (value === schemas) return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [renames.get(name) ?? name, schema]));
    return value;
  });
  return JSON.parse(renamed) as OpenAPIObject;
}
