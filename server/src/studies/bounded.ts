import { BadUserInputError } from "../errors";

/** An optional integer argument: `fallback` when absent, else within [min, max] or BAD_USER_INPUT naming `field`. */
export function bounded(value: number | null | undefined, fallback: number, min: number, max: number, field: string): number {
  if (value == null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be an integer from ${min} to ${max} (got ${value}).`, field);
  }
  return value;
}
