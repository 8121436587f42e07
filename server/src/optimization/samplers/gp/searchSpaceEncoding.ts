import type { Rng } from "../../random";
import { fromUnit, isActive, toUnit } from "../../space";
import type { JsonValue, ParamSpec } from "../../types";

type NumericSpec = Exclude<ParamSpec, { type: "CATEGORICAL" }>;

/**
 * How a parameter appears to a model: a coordinate in [0, 1] (continuous), a coordinate in [0, 1]
 * restricted to the unit positions of a step grid (discrete: INT and stepped FLOAT), or the index
 * of a choice (categorical, compared by equality only).
 */
export type EncodedDimension =
  | { kind: "continuous"; spec: NumericSpec }
  | { kind: "discrete"; spec: NumericSpec; count: number }
  | { kind: "categorical"; spec: Extract<ParamSpec, { type: "CATEGORICAL" }>; count: number };

/** Value a coordinate takes while its parameter is inactive (condition not met). */
const INACTIVE_NUMERIC = 0.5;
const INACTIVE_CATEGORICAL = -1;

/**
 * Maps the declared space to a fixed-length vector, one coordinate per parameter, so a model can
 * work in one space. Conditional parameters keep their coordinate and sit at a fixed imputed value
 * while inactive, which the kernel then sees as "the same" for every trial lacking them.
 */
export class SearchSpaceEncoding {
  readonly dims: EncodedDimension[];
  readonly isCategorical: Uint8Array;
  readonly hasConditions: boolean;

  constructor(readonly specs: ParamSpec[]) {
    this.dims = specs.map((spec): EncodedDimension => {
      if (spec.type === "CATEGORICAL") return { kind: "categorical", spec, count: spec.choices.length };
      if (spec.step !== null) return { kind: "discrete", spec, count: Math.round((spec.high - spec.low) / spec.step) + 1 };
      return { kind: "continuous", spec };
    });
    this.isCategorical = Uint8Array.from(this.dims, (d) => (d.kind === "categorical" ? 1 : 0));
    this.hasConditions = specs.some((s) => !!s.condition);
  }

  get size(): number {
    return this.dims.length;
  }

  /** The vector of a trial's params, or null when an active parameter is missing or unknown. */
  encode(params: Record<string, JsonValue>): Float64Array | null {
    const x = new Float64Array(this.dims.length);
    for (let i = 0; i < this.dims.length; i++) {
      const dim = this.dims[i];
      const name = dim.spec.name;
      if (!(name in params)) {
        if (!dim.spec.condition) return null;
        x[i] = dim.kind === "categorical" ? INACTIVE_CATEGORICAL : INACTIVE_NUMERIC;
        continue;
      }
      const value = params[name];
      if (dim.kind === "categorical") {
        const key = JSON.stringify(value);
        const index = dim.spec.choices.findIndex((c) => JSON.stringify(c) === key);
        if (index < 0) return null;
        x[i] = index;
      } else {
        if (typeof value !== "number" || !Number.isFinite(value)) return null;
        x[i] = Math.min(1, Math.max(0, toUnit(dim.spec, value)));
      }
    }
    return x;
  }

  /** The params of a vector: active parameters only, numeric values on their grids and in bounds. */
  decode(x: ArrayLike<number>): Record<string, JsonValue> {
    const params: Record<string, JsonValue> = {};
    for (let i = 0; i < this.dims.length; i++) {
      const dim = this.dims[i];
      if (!isActive(dim.spec, params)) continue;
      params[dim.spec.name] = this.decodeValue(i, x[i]);
    }
    return params;
  }

  /**
   * Puts a vector in the form the model sees: discrete coordinates on their grid positions (so the
   * acquisition is evaluated where the trial will really run) and inactive parameters imputed.
   */
  canonicalize(x: Float64Array): void {
    for (let i = 0; i < this.dims.length; i++) {
      const dim = this.dims[i];
      if (dim.kind === "discrete") x[i] = toUnit(dim.spec, fromUnit(dim.spec, x[i]));
      else if (dim.kind === "categorical") x[i] = Math.min(dim.count - 1, Math.max(0, Math.round(x[i])));
    }
    if (!this.hasConditions) return;
    const params: Record<string, JsonValue> = {};
    for (let i = 0; i < this.dims.length; i++) {
      const dim = this.dims[i];
      if (isActive(dim.spec, params)) params[dim.spec.name] = this.decodeValue(i, x[i]);
      else x[i] = dim.kind === "categorical" ? INACTIVE_CATEGORICAL : INACTIVE_NUMERIC;
    }
  }

  /** A uniformly drawn canonical vector. */
  randomPoint(rng: Rng): Float64Array {
    const x = new Float64Array(this.dims.length);
    for (let i = 0; i < this.dims.length; i++) {
      const dim = this.dims[i];
      x[i] = dim.kind === "categorical" ? rng.int(0, dim.count - 1) : rng.random();
    }
    this.canonicalize(x);
    return x;
  }

  /** Unit position of grid value `index` of a discrete coordinate. */
  gridPosition(i: number, index: number): number {
    const dim = this.dims[i];
    if (dim.kind !== "discrete") throw new Error("not a discrete dimension");
    const step = dim.spec.step as number;
    return toUnit(dim.spec, dim.spec.low + index * step);
  }

  /** Grid index of a discrete coordinate's current position. */
  gridIndex(i: number, u: number): number {
    const dim = this.dims[i];
    if (dim.kind !== "discrete") throw new Error("not a discrete dimension");
    return Math.round((fromUnit(dim.spec, u) - dim.spec.low) / (dim.spec.step as number));
  }

  /** True when coordinate i is active for vector x (always true without conditions). */
  isActiveAt(x: ArrayLike<number>, i: number): boolean {
    if (!this.hasConditions || !this.dims[i].spec.condition) return true;
    return this.dims[i].spec.name in this.decode(x);
  }

  private decodeValue(i: number, u: number): JsonValue {
    const dim = this.dims[i];
    if (dim.kind === "categorical") return dim.spec.choices[Math.min(dim.count - 1, Math.max(0, Math.round(u)))];
    return fromUnit(dim.spec, u);
  }
}
