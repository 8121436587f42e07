/**
 * SQL for the array parameter `$n::type[]` that PostgreSQL plans without looking at its value, for
 * `= ANY(...)`. With the bare parameter, a custom plan sees the array's real length, which for a
 * few ids always looks cheaper than the generic plan's guess of 10 elements, so such statements
 * were planned anew on every call (50–60 µs each, more with joins). Behind a scalar subquery (an
 * InitPlan) both plans make the same guess, PostgreSQL keeps the generic plan, and index scans
 * work as before.
 */
export function arrayParam(n: number, type: "bigint" | "text"): string {
  return `(SELECT $${n}::${type}[])::${type}[]`;
}
