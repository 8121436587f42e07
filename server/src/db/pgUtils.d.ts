// pg 8 ships no types for its internal utilities; this is the one the pipelined query reuses.
declare module "pg/lib/utils" {
  export function prepareValue(value: unknown): unknown;
}
