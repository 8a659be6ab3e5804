/**
 * A deep copy of a session record or a part of one: plain objects, arrays, Dates and scalars,
 * which is all they hold. About five times faster than structuredClone, which the in-memory
 * store paid several times per upload to hand out copies instead of live records.
 */
export function copyRecord<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copyRecord) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyRecord((value as Record<string, unknown>)[key]);
  return copy as T;
}
