import { BadUserInputError } from "../../errors";

/**
 * PostgreSQL keeps timestamps to the microsecond and a JavaScript Date to the millisecond, so
 * exports carry times as ISO-8601 strings with six decimals (or microsecond counts), never Dates.
 */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  return new Date(ms).toISOString().replace("Z", String(rest).padStart(3, "0") + "Z");
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** Microseconds since 1970 of an ISO-8601 UTC time ("...Z", up to six decimals). */
export function microsFromIso(value: unknown, field: string): number {
  const match = typeof value === "string" ? ISO_UTC.exec(value) : null;
  const seconds = match ? Date.parse(match[1] + "Z") : NaN;
  if (!match || Number.isNaN(seconds)) {
    throw new BadUserInputError(`${field} must be an ISO-8601 UTC time such as "2025-01-31T12:00:00.000000Z".`, field);
  }
  return seconds * 1000 + Number((match[2] ?? "").padEnd(6, "0"));
}

/** An ISO time or null, as exports hold optional timestamps. */
export function optionalMicros(value: unknown, field: string): number | null {
  return value == null ? null : microsFromIso(value, field);
}
