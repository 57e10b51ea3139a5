import { sql, type RawBuilder } from 'kysely';

/**
 * A jsonb value as a query parameter. Sent as text and cast on the server: postgres.js would
 * JSON-encode a string parameter a second time for a jsonb column (storing a JSON string, not
 * an object), while PGlite would not; the explicit text cast behaves the same on both.
 */
export function jsonb<T>(value: T): RawBuilder<T> {
  return jsonbOfText<T>(JSON.stringify(value));
}

/** jsonb from JSON text already made (a compiled statement's parameter: db/compiled.ts). */
export function jsonbOfText<T>(text: string): RawBuilder<T> {
  return sql<T>`cast(${text} as text)::jsonb`;
}
