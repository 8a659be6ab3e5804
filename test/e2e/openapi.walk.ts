/** Reading an OpenAPI document the way a client generator would: operations, $refs, the fields of a schema. */
export type Json = Record<string, any>;

export interface Operation {
  route: string;
  operation: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

export function operationsOf(document: Json): Operation[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation: operation as Json })),
  );
}

export function operationOf(document: Json, route: string): Json {
  const found = operationsOf(document).find((candidate) => candidate.route === route);
  if (!found) throw new Error(`the document has no ${route}`);
  return found.operation;
}

/** `#/components/schemas/X` → the object it points at; throws when it points at nothing. */
export function dereference(document: Json, value: Json): Json {
  if (typeof value.$ref !== 'string') return value;
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<any>((node, key: string) => node?.[key], document);
  if (target === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
  return dereference(document, target as Json);
}

export function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  const own = typeof (value as Json).$ref === 'string' ? [(value as Json).$ref as string] : [];
  return [...own, ...Object.values(value).flatMap(refsIn)];
}

/** The properties a schema may have, through $ref, allOf, oneOf/anyOf (any alternative) and array items. */
export function propertiesOf(document: Json, schema: Json): Json {
  const resolved = dereference(document, schema);
  if (resolved.type === 'array' && resolved.items) return propertiesOf(document, resolved.items as Json);
  const parts = [...(resolved.allOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])] as Json[];
  return Object.assign({}, ...parts.map((part) => propertiesOf(document, part)), resolved.properties ?? {});
}

/** Whether `a.b.c` names a property, one level of objects (or array items) at a time. */
export function hasField(document: Json, schema: Json, path: string): boolean {
  const [head, ...rest] = path.split('.');
  const property = propertiesOf(document, schema)[head] as Json | undefined;
  if (!property) return false;
  return rest.length === 0 || hasField(document, property, rest.join('.'));
}
