import { BadUserInputError } from "../errors";

/** A name a user gives (study, metric): trimmed, non-empty, bounded. */
export function checkName(value: unknown, field: string, maxLength = 200): string {
  const name = typeof value === "string" ? value.trim() : "";
  if (!name) throw new BadUserInputError(`${field} must be a non-empty string.`, field);
  if (name.length > maxLength) throw new BadUserInputError(`${field} must be at most ${maxLength} characters.`, field);
  return name;
}

/** Objective values and metric points must be real numbers: NaN and infinities are refused. */
export function checkFinite(value: number, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new BadUserInputError(`${field} must be a finite number (got ${value}); NaN and infinities are not stored.`, field);
  }
  return value;
}

/** A JSON object (not an array or a scalar), e.g. params or user attributes. */
export function checkObject(value: unknown, field: string): Record<string, any> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BadUserInputError(`${field} must be a JSON object.`, field);
  }
  return value as Record<string, any>;
}
