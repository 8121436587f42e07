import { InvalidSpaceError, SearchSpaceExhaustedError } from "../errors";
import { Rng } from "../random";
import { containsValue, isActive, sampleUniform, snap } from "../space";
import type { JsonValue, ParamSpec, TrialView } from "../types";
import { hashName } from "./randomSampler";
import type { RelativeSample, SampleContext, Sampler } from "./sampler";

/** Options of the GRID sampler. */
export interface GridSamplerOptions {
  /**
   * Explicit values per parameter name, like Optuna's GridSampler `search_space`. A declared
   * parameter named here takes exactly these values (each must lie inside its declared range).
   * Default: none; parameters not named use their natural grid (below).
   */
  searchSpace?: Record<string, JsonValue[]>;
  /**
   * Points per continuous FLOAT parameter that has neither a step nor an explicit list: evenly
   * spaced from low to high inclusive (evenly in log space for log parameters). Default: none,
   * and such a parameter is an InvalidSpaceError.
   */
  gridPoints?: number;
  /** Visit the grid in an order shuffled by the seed (default true); false visits it in order. */
  shuffle?: boolean;
}

/** Largest grid the sampler indexes (2^50 points); beyond that the permutation loses precision. */
const MAX_GRID_SIZE = 2 ** 50;

/** The values one parameter takes on the grid, without materialising long integer ranges. */
interface Axis {
  spec: ParamSpec;
  count: number;
  value(k: number): JsonValue;
  /** True when some later parameter's condition refers to this one. */
  isParent: boolean;
}

interface GridState {
  /** How many positions of the shuffled order have been handed out or skipped. */
  position: number;
  /** Grid size the position refers to; a different size (space changed) restarts the walk. */
  size: number;
}

/**
 * Exhaustive search over the declared space. Categorical parameters take every choice, INT and
 * stepped FLOAT parameters every value of their range, continuous FLOATs `gridPoints` values, unless
 * `searchSpace` lists the values. Conditional parameters are expanded only under the parent
 * values that activate them, so the grid holds no duplicates that differ only in inactive
 * parameters.
 *
 * Asks of one study are serialised, and the sampler keeps its position in the shuffled order in
 * the study's state; it also skips any grid point an existing trial already holds (whatever its
 * state, RUNNING and FAIL included), so a lost state or enqueued trials never cause repeats. A
 * failed grid point is not retried automatically: retry policy belongs to the search. When every
 * point is used the ask fails with SearchSpaceExhaustedError.
 *
 * Define-by-run parameters are not part of the grid: they take a random value from their explicit
 * list when `searchSpace` names them, else a uniform draw.
 */
export class GridSampler implements Sampler {
  readonly needsHistory = true;

  constructor(
    private readonly seed: number,
    private readonly options: GridSamplerOptions = {},
  ) {}

  sampleRelative(ctx: SampleContext): RelativeSample {
    const space = ctx.study.searchSpace;
    if (space.length === 0) return { params: {} };
    const grid = new Grid(space, this.options);
    const size = grid.size;
    const order = this.options.shuffle === false ? null : new Permutation(size, this.seed);
    const used = new Set<string>();
    for (const t of ctx.study.trials) used.add(grid.keyOf(t.params));

    const saved = readState(ctx.state);
    let position = saved && saved.size === size ? saved.position : 0;
    while (position < size) {
      const index = order ? order.at(position) : position;
      position++;
      const params = grid.point(index);
      if (!used.has(grid.keyOf(params))) return { params, state: { position, size } };
    }
    throw new SearchSpaceExhaustedError(
      `GRID sampler: all ${size} grid points have been used by this study's trials. ` +
        "Enlarge the grid (sampler options searchSpace or gridPoints) or stop asking for trials.",
    );
  }

  sampleIndependent(_ctx: SampleContext, trial: TrialView, spec: ParamSpec): JsonValue {
    const rng = Rng.derive(this.seed, trial.number, hashName(spec.name));
    const listed = this.options.searchSpace?.[spec.name];
    if (listed && listed.length > 0) {
      const allowed = listed.filter((v) => containsValue(spec, v));
      if (allowed.length > 0) return allowed[rng.int(0, allowed.length - 1)];
    }
    return sampleUniform(spec, rng);
  }
}

/** The grid of a declared space: its size, point number k, and a canonical key per point. */
export class Grid {
  private readonly axes: Axis[];
  private readonly memo = new Map<string, number>();
  /** Names of parents referenced by parameters at index >= i, per i. */
  private readonly parentsFrom: string[][];
  readonly size: number;

  constructor(space: ParamSpec[], options: GridSamplerOptions) {
    const parentNames = new Set(space.filter((s) => s.condition).map((s) => s.condition!.param));
    this.axes = space.map((spec) => makeAxis(spec, options, parentNames.has(spec.name)));
    this.parentsFrom = space.map((_, i) => {
      const names = new Set<string>();
      for (let j = i; j < space.length; j++) if (space[j].condition) names.add(space[j].condition!.param);
      return [...names];
    });
    this.size = this.count(0, {});
    if (this.size > MAX_GRID_SIZE) {
      throw new InvalidSpaceError(
        "sampler.options",
        `the grid has about ${this.size.toExponential(2)} points, more than GRID supports (2^50); list fewer values or use QMC.`,
      );
    }
  }

  /** Grid point number `index`, in the natural (unshuffled) order. */
  point(index: number): Record<string, JsonValue> {
    const params: Record<string, JsonValue> = {};
    let rest = index;
    for (let i = 0; i < this.axes.length; i++) {
      const axis = this.axes[i];
      if (!isActive(axis.spec, params)) continue;
      if (!axis.isParent) {
        const below = this.count(i + 1, params);
        const k = Math.floor(rest / below);
        params[axis.spec.name] = axis.value(k);
        rest -= k * below;
        continue;
      }
      for (let k = 0; k < axis.count; k++) {
        params[axis.spec.name] = axis.value(k);
        const below = this.count(i + 1, params);
        if (rest < below) break;
        rest -= below;
      }
    }
    return params;
  }

  /** A key that two assignments share exactly when they are the same grid point. */
  keyOf(params: Record<string, JsonValue>): string {
    const active: Record<string, JsonValue> = {};
    const parts: string[] = [];
    for (const axis of this.axes) {
      const name = axis.spec.name;
      if (!isActive(axis.spec, active) || !(name in params)) continue;
      active[name] = params[name];
      parts.push(JSON.stringify(params[name]));
    }
    return parts.join("\u0000");
  }

  /** Number of completions of the parameters from index i on, given the values chosen so far. */
  private count(i: number, params: Record<string, JsonValue>): number {
    if (i >= this.axes.length) return 1;
    const key = `${i}|${this.parentsFrom[i].map((n) => JSON.stringify(params[n] ?? null)).join(",")}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const axis = this.axes[i];
    let total: number;
    if (!isActive(axis.spec, params)) {
      total = this.count(i + 1, params);
    } else if (!axis.isParent) {
      total = axis.count * this.count(i + 1, params);
    } else {
      total = 0;
      const name = axis.spec.name;
      for (let k = 0; k < axis.count; k++) {
        params[name] = axis.value(k);
        total += this.count(i + 1, params);
      }
      delete params[name];
    }
    this.memo.set(key, total);
    return total;
  }
}

function makeAxis(spec: ParamSpec, options: GridSamplerOptions, isParent: boolean): Axis {
  const listed = options.searchSpace?.[spec.name];
  if (listed !== undefined) {
    const field = `sampler.options.searchSpace.${spec.name}`;
    if (!Array.isArray(listed) || listed.length === 0) {
      throw new InvalidSpaceError(field, `GRID: the value list of "${spec.name}" must be a non-empty array.`);
    }
    const seen = new Set<string>();
    const values: JsonValue[] = [];
    for (const v of listed) {
      if (!containsValue(spec, v)) {
        throw new InvalidSpaceError(field, `GRID: value ${JSON.stringify(v)} lies outside parameter "${spec.name}"; list only values of its declared range.`);
      }
      const key = JSON.stringify(v);
      if (!seen.has(key)) values.push(v), seen.add(key);
    }
    return { spec, count: values.length, value: (k) => values[k], isParent };
  }
  if (spec.type === "CATEGORICAL") {
    return { spec, count: spec.choices.length, value: (k) => spec.choices[k], isParent };
  }
  if (spec.step !== null) {
    const step = spec.step;
    const count = Math.round((spec.high - spec.low) / step) + 1;
    return { spec, count, value: (k) => snap(spec, spec.low + k * step), isParent };
  }
  const n = options.gridPoints;
  if (n === undefined) {
    throw new InvalidSpaceError(
      `sampler.options.searchSpace.${spec.name}`,
      `GRID cannot enumerate the continuous parameter "${spec.name}": give it a step, list its values in sampler options searchSpace, or set sampler option gridPoints.`,
    );
  }
  if (n === 1) return { spec, count: 1, value: () => (spec.log ? Math.sqrt(spec.low * spec.high) : (spec.low + spec.high) / 2), isParent };
  const value = (k: number): number => {
    if (k === 0) return spec.low;
    if (k === n - 1) return spec.high;
    const t = k / (n - 1);
    return spec.log ? Math.exp(Math.log(spec.low) + t * (Math.log(spec.high) - Math.log(spec.low))) : spec.low + t * (spec.high - spec.low);
  };
  return { spec, count: n, value, isParent };
}

/**
 * A seeded bijection of [0, size) without materialising it: a 4-round Feistel network on the
 * smallest even power of two that holds `size`, cycle-walking past values >= size.
 */
class Permutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly keys: number[];

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    let bits = 2;
    while (2 ** bits < size) bits += 2;
    this.half = bits / 2;
    this.mask = 2 ** this.half - 1;
    const rng = Rng.derive(seed, 0x6e1d);
    this.keys = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
  }

  at(position: number): number {
    let x = position;
    do x = this.encrypt(x);
    while (x >= this.size);
    return x;
  }

  private encrypt(x: number): number {
    const base = 2 ** this.half;
    let left = Math.floor(x / base);
    let right = x % base;
    for (const key of this.keys) {
      const f = mix(right ^ key) & this.mask;
      const next = (left ^ f) >>> 0;
      left = right;
      right = next & this.mask;
    }
    return left * base + right;
  }
}

function mix(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function readState(state: JsonValue | null): GridState | null {
  if (!state || typeof state !== "object" || Array.isArray(state)) return null;
  const { position, size } = state as Record<string, JsonValue>;
  if (typeof position !== "number" || typeof size !== "number") return null;
  return { position, size };
}

/** Reads GRID options from a study's stored sampler options. */
export function parseGridOptions(options: Record<string, JsonValue>): GridSamplerOptions {
  const out: GridSamplerOptions = {};
  const { searchSpace, gridPoints, shuffle } = options;
  if (searchSpace !== undefined && searchSpace !== null) {
    if (typeof searchSpace !== "object" || Array.isArray(searchSpace)) {
      throw new InvalidSpaceError("sampler.options.searchSpace", "GRID option searchSpace must map parameter names to value lists.");
    }
    out.searchSpace = {};
    for (const [name, values] of Object.entries(searchSpace)) {
      if (!Array.isArray(values) || values.length === 0) {
        throw new InvalidSpaceError(`sampler.options.searchSpace.${name}`, `GRID: the value list of "${name}" must be a non-empty array.`);
      }
      out.searchSpace[name] = values;
    }
  }
  if (gridPoints !== undefined && gridPoints !== null) {
    if (typeof gridPoints !== "number" || !Number.isInteger(gridPoints) || gridPoints < 1) {
      throw new InvalidSpaceError("sampler.options.gridPoints", "GRID option gridPoints must be a positive integer.");
    }
    out.gridPoints = gridPoints;
  }
  if (shuffle !== undefined && shuffle !== null) {
    if (typeof shuffle !== "boolean") throw new InvalidSpaceError("sampler.options.shuffle", "GRID option shuffle must be true or false.");
    out.shuffle = shuffle;
  }
  return out;
}
