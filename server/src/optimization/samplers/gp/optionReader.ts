import { InvalidSpaceError } from "../../errors";
import type { JsonValue } from "../../types";

/**
 * Reads a sampler's options JSON (shared by the GP, CMAES and NSGA2 samplers). Each getter checks
 * one option and throws InvalidSpaceError naming `sampler.options.<name>`. Options are camelCase
 * (`nStartupTrials`); Optuna's snake_case spelling (`n_startup_trials`) is accepted too. Unknown
 * names are refused by `done()` so that a typo is not silently ignored.
 */
export class OptionReader {
  private readonly used = new Set<string>();
  private readonly known: string[] = [];

  constructor(
    private readonly raw: Record<string, JsonValue> | null | undefined,
    private readonly samplerType: string,
    private readonly path = "sampler.options",
  ) {
    if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
      throw new InvalidSpaceError(path, `${path} must be a JSON object.`);
    }
  }

  number(name: string, def: number, check: { min?: number; max?: number; integer?: boolean } = {}): number {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(name, `must be a finite number (got ${JSON.stringify(v)}).`);
    if (check.integer && !Number.isInteger(v)) this.fail(name, `must be an integer (got ${v}).`);
    if (check.min !== undefined && v < check.min) this.fail(name, `must be at least ${check.min} (got ${v}).`);
    if (check.max !== undefined && v > check.max) this.fail(name, `must be at most ${check.max} (got ${v}).`);
    return v;
  }

  /** A number, or null when absent (for options whose default depends on the study). */
  optionalNumber(name: string, check: { min?: number; max?: number; integer?: boolean } = {}): number | null {
    return this.get(name) === undefined ? null : this.number(name, 0, check);
  }

  boolean(name: string, def: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== "boolean") this.fail(name, `must be true or false (got ${JSON.stringify(v)}).`);
    return v;
  }

  oneOf<T extends string>(name: string, def: T, allowed: readonly T[]): T {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      this.fail(name, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${JSON.stringify(v)}).`);
    }
    return v as T;
  }

  /** Call after reading every option: refuses names this sampler does not know. */
  done(): void {
    for (const name of Object.keys(this.raw ?? {})) {
      if (!this.used.has(name)) {
        throw new InvalidSpaceError(
          `${this.path}.${name}`,
          `${this.path}.${name}: unknown option; the ${this.samplerType} sampler takes ${this.known.join(", ") || "no options"}.`,
        );
      }
    }
  }

  fail(name: string, message: string): never {
    throw new InvalidSpaceError(`${this.path}.${name}`, `${this.path}.${name}: ${message}`);
  }

  private get(name: string): JsonValue | undefined {
    const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    this.known.push(name);
    this.used.add(name);
    this.used.add(snake);
    const raw = this.raw ?? {};
    const v = raw[name] !== undefined ? raw[name] : raw[snake];
    return v === null ? undefined : v;
  }
}
