import type { CompiledQuery, Compilable, Kysely, RawBuilder } from 'kysely';

/**
 * Statements of the hot paths, built and compiled once per shape and then only given new
 * parameters: Kysely's builders, parsers and compiler cost a sign-in ~0.28 ms of main thread
 * (docs/benchmarks.md, the perf profile), every time, for the same SQL text.
 *
 * `build` gets the values in their own shape with every leaf (a string, number, boolean, Date or
 * null) replaced by a placeholder: a string no request can carry, NUL and the leaf's path (the
 * text rule refuses NUL at the edge, Postgres refuses it in text). It must use each only as a
 * value, a parameter of the statement; its SQL may depend on the values' structure only (which
 * keys are there, which are null, how long an array is): that structure is the cache key. A
 * value used otherwise (a branch on it, a `.slice()` on it) would be baked in wrong, so in the
 * tests (`JD_VERIFY_COMPILED=1`, vitest.config.ts) every call is also built and compiled with the
 * real values and must give the same SQL and parameters.
 */
export function compiledStatement<V extends object, D extends AnyDb = AnyDb>(
  build: (db: D, values: V) => Compilable | RawBuilder<unknown>,
  { rowAsJson = false }: StatementOptions = {},
): (db: D, values: V) => CompiledQuery {
  // a query builder compiles on its own, a sql`` template with the database it is given
  const compile = (db: D, values: V) => {
    const query = (build(db, values) as { compile(db: D): CompiledQuery }).compile(db);
    return rowAsJson ? { ...query, sql: `select row_to_json(t) as r from (${query.sql}) t` } : query;
  };
  // per dialect adapter: the same for a database and its transactions, apart for PGlite and Postgres
  const byAdapter = new WeakMap<object, Map<string, Prepared>>();
  return (db, values) => {
    const adapter = db.getExecutor().adapter;
    let shapes = byAdapter.get(adapter);
    if (!shapes) byAdapter.set(adapter, (shapes = new Map<string, Prepared>()));
    const shape = shapeOf(values);
    let prepared = shapes.get(shape);
    if (!prepared) {
      const compiled = compile(db, placeholdersOf(values, []) as V);
      prepared = { compiled, paths: compiled.parameters.map(pathOf) };
      if (shapes.size < MAX_SHAPES) shapes.set(shape, prepared);
    }
    const parameters = prepared.compiled.parameters.map((p, i) => {
      const path = prepared.paths[i];
      return path ? valueAt(values, path) : p;
    });
    const query = { ...prepared.compiled, parameters };
    if (VERIFY) verify(query, compile(db, values));
    return query;
  };
}

export interface StatementOptions {
  /**
   * Each row comes back as one json column `r` holding the row's object, with the same keys and
   * values as read column by column (a text[] as an array, a float8 as a number; not for a
   * timestamp, which would come as text, or a float that may be infinite). For a wide row read
   * on every request: node-postgres builds a parser per column and an object per row for every
   * result, which cost the session check's 19 columns ~25 µs of main thread per read, a quarter
   * of it; one json column costs a JSON.parse, and Postgres's CPU stays the same
   * (docs/benchmarks.md, "The session check's read as one json value").
   */
  rowAsJson?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a statement may be of any schema
type AnyDb = Kysely<any>;

interface Prepared {
  compiled: CompiledQuery;
  /** for each parameter, the path of the value it stands for, or undefined for a constant of the statement */
  paths: (string[] | undefined)[];
}

/** shapes kept per statement: a statement's shapes are few (optional columns, list lengths); past this it still works, uncached */
const MAX_SHAPES = 64;
const MARK = '\u0000';
const VERIFY = typeof process !== 'undefined' && process.env?.JD_VERIFY_COMPILED === '1';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The values with each leaf replaced by MARK and its path (keys and indexes joined by "."). */
function placeholdersOf(value: unknown, path: readonly (string | number)[]): unknown {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v, i) => placeholdersOf(v, [...path, i]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = placeholdersOf(value[key], [...path, key]);
    return out;
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date))
    throw new Error(`compiledStatement: the value at ${path.join('.') || 'the top'} is not plain data`);
  return MARK + path.join('.');
}

/** The values' structure: keys in order, arrays' lengths, which leaves are null or undefined. */
function shapeOf(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'n';
  if (Array.isArray(value)) return `[${value.map(shapeOf).join(',')}]`;
  if (isPlainObject(value)) {
    let s = '{';
    for (const key in value) s += `${key}:${shapeOf(value[key])},`;
    return `${s}}`;
  }
  return 'v';
}

function pathOf(parameter: unknown): string[] | undefined {
  return typeof parameter === 'string' && parameter.startsWith(MARK)
    ? parameter.slice(MARK.length).split('.')
    : undefined;
}

function valueAt(values: unknown, path: string[]): unknown {
  let v = values;
  for (const key of path) v = (v as Record<string, unknown>)[key];
  return v;
}

function verify(cached: CompiledQuery, direct: CompiledQuery): void {
  const same =
    cached.sql === direct.sql &&
    cached.parameters.length === direct.parameters.length &&
    cached.parameters.every((p, i) => {
      const d = direct.parameters[i];
      return p instanceof Date && d instanceof Date ? p.getTime() === d.getTime() : p === d;
    });
  if (!same)
    throw new Error(
      `compiledStatement: the cached statement differs from one built with the values (a value used as more than a parameter?)\n` +
        `cached: ${cached.sql} ${JSON.stringify(cached.parameters)}\ndirect: ${direct.sql} ${JSON.stringify(direct.parameters)}`,
    );
}
