// node-postgres's own value-to-text conversion (pg/lib/utils.js), which @types/pg does not declare:
// lib/db/raw.ts writes parameters into a statement exactly as pg would send them.
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): unknown;
}
