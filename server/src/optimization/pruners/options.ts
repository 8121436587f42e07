import { InvalidSpaceError } from "../errors";
import type { JsonValue } from "../types";

/**
 * Reading a pruner's options JSON: each getter checks one option and throws InvalidSpaceError
 * naming `pruner.options.<name>` with what to fix. Options are camelCase (`nWarmupSteps`); the
 * snake_case spelling Optuna users know (`n_warmup_steps`) is accepted too. Unknown names are
 * refused, so that a typo (`n_warmup_step`) is not silently ignored.
 */
export class PrunerOptions {
  private readonly used = new Set<string>();
  private readonly canonical = new Set<string>();

  constructor(
    private readonly raw: Record<string, JsonValue> | null | undefined,
    /** Field prefix, e.g. "pruner.options" or "pruner.options.wrapped.options". */
    readonly path = "pruner.options",
  ) {
    if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
      throw new InvalidSpaceError(path, `${path} must be a JSON object.`);
    }
  }

  private get(name: string): JsonValue | undefined {
    const snake = snakeCase(name);
    this.canonical.add(name);
    this.used.add(name);
    this.used.add(snake);
    const raw = this.raw ?? {};
    if (snake !== name && raw[name] !== undefined && raw[snake] !== undefined) {
      this.fail(name, `is given twice (as ${name} and ${snake}); keep one.`);
    }
    const v = raw[name] !== undefined ? raw[name] : raw[snake];
    return v === null ? undefined : v;
  }

  /** The field name of one option as the user spelled it, for errors. */
  field(name: string): string {
    const snake = snakeCase(name);
    const spelled = this.raw && this.raw[name] === undefined && this.raw[snake] !== undefined ? snake : name;
    return `${this.path}.${spelled}`;
  }

  fail(name: string, message: string): never {
    throw new InvalidSpaceError(this.field(name), `${this.field(name)}: ${message}`);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  number(name: string, def: number, check: { min?: number; max?: number; minExclusive?: number } = {}): number {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(name, `must be a finite number (got ${JSON.stringify(v)}).`);
    if (check.min !== undefined && v < check.min) this.fail(name, `must be at least ${check.min} (got ${v}).`);
    if (check.minExclusive !== undefined && v <= check.minExclusive) this.fail(name, `must be greater than ${check.minExclusive} (got ${v}).`);
    if (check.max !== undefined && v > check.max) this.fail(name, `must be at most ${check.max} (got ${v}).`);
    return v;
  }

  int(name: string, def: number, min: number, max?: number): number {
    const v = this.number(name, def, { min, max });
    if (!Number.isInteger(v)) this.fail(name, `must be an integer (got ${v}).`);
    return v;
  }

  optionalNumber(name: string): number | null {
    const v = this.get(name);
    if (v === undefined) return null;
    if (typeof v !== "number" || Number.isNaN(v)) this.fail(name, `must be a number (got ${JSON.stringify(v)}).`);
    return v;
  }

  /** An integer >= min, or the string "auto". */
  intOrAuto(name: string, def: number | "auto", min: number): number | "auto" {
    const v = this.get(name);
    if (v === undefined) return def;
    if (v === "auto") return "auto";
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      this.fail(name, `must be an integer >= ${min} or "auto" (got ${JSON.stringify(v)}).`);
    }
    return v;
  }

  string(name: string, def: string, allowed: readonly string[]): string {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== "string" || !allowed.includes(v)) this.fail(name, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${JSON.stringify(v)}).`);
    return v;
  }

  object(name: string): Record<string, JsonValue> | null {
    const v = this.get(name);
    if (v === undefined) return null;
    if (typeof v !== "object" || Array.isArray(v)) this.fail(name, `must be a JSON object (got ${JSON.stringify(v)}).`);
    return v;
  }

  /** Call after reading every option: refuses names the pruner does not know. */
  done(): void {
    if (!this.raw) return;
    for (const name of Object.keys(this.raw)) {
      if (!this.used.has(name)) {
        const known = [...this.canonical].join(", ");
        throw new InvalidSpaceError(
          this.field(name),
          `${this.field(name)}: unknown option; this pruner takes ${known || "no options"}.`,
        );
      }
    }
  }
}

/** nWarmupSteps -> n_warmup_steps. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
