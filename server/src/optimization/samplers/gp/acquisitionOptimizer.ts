import type { Rng } from "../../random";
import { minimizeInBox } from "./boxedLbfgs";
import type { Acquisition } from "./logEiAcquisition";
import type { SearchSpaceEncoding } from "./searchSpaceEncoding";

export interface AcquisitionSearchOptions {
  /** Uniform random candidates scored before local search. Default 2048. */
  candidates?: number;
  /** Number of starting points refined by local search. Default 10. */
  localSearches?: number;
  /** Rounds of (gradient step on continuous coordinates, sweep of discrete ones). Default 4. */
  rounds?: number;
}

/** Discrete coordinates with at most this many grid values are swept exhaustively. */
const EXHAUSTIVE_GRID = 24;

/**
 * Maximises an acquisition over the encoded space: score many uniform candidates, then refine the
 * best few (and the given seeds, e.g. the best observed points) by alternating projected L-BFGS on
 * the continuous coordinates with sweeps of discrete and categorical ones. Every point scored is
 * canonical, so discrete coordinates are evaluated on their grid ("rounding inside the
 * acquisition") and the winner is exactly what the trial will run.
 */
export function maximizeAcquisition(
  acq: Acquisition,
  encoding: SearchSpaceEncoding,
  rng: Rng,
  seeds: Float64Array[],
  options: AcquisitionSearchOptions = {},
): { x: Float64Array; value: number } {
  const nCandidates = options.candidates ?? 2048;
  const nLocal = options.localSearches ?? 10;
  const rounds = options.rounds ?? 4;

  const scored: Array<{ x: Float64Array; value: number }> = [];
  for (let c = 0; c < nCandidates; c++) {
    const x = encoding.randomPoint(rng);
    scored.push({ x, value: acq.value(x) });
  }
  scored.sort((a, b) => b.value - a.value);
  const starts: Float64Array[] = [];
  for (const s of seeds) {
    const x = Float64Array.from(s);
    encoding.canonicalize(x);
    starts.push(x);
  }
  for (const s of scored) {
    if (starts.length >= nLocal + seeds.length) break;
    starts.push(s.x);
  }

  let best = scored[0] ?? { x: encoding.randomPoint(rng), value: Number.NEGATIVE_INFINITY };
  for (const start of starts) {
    const refined = localSearch(acq, encoding, start, rounds);
    if (refined.value > best.value) best = refined;
  }
  return best;
}

function localSearch(acq: Acquisition, encoding: SearchSpaceEncoding, start: Float64Array, rounds: number): { x: Float64Array; value: number } {
  const x = Float64Array.from(start);
  let value = acq.value(x);
  const continuous: number[] = [];
  const swept: number[] = [];
  encoding.dims.forEach((dim, i) => (dim.kind === "continuous" ? continuous : swept).push(i));

  for (let round = 0; round < rounds; round++) {
    const before = value;
    const active = continuous.filter((i) => encoding.isActiveAt(x, i));
    if (active.length > 0) value = refineContinuous(acq, x, active, value);
    for (const i of swept) {
      if (!encoding.isActiveAt(x, i)) continue;
      value = sweepCoordinate(acq, encoding, x, i, value);
    }
    if (!(value > before + 1e-9 * Math.abs(before))) break;
  }
  return { x, value };
}

/** Projected L-BFGS on the given coordinates (in [0, 1]) with the others held fixed. */
function refineContinuous(acq: Acquisition, x: Float64Array, coords: number[], value: number): number {
  const full = new Float64Array(x.length);
  const trial = Float64Array.from(x);
  const objective = (z: Float64Array, grad: Float64Array): number => {
    for (let j = 0; j < coords.length; j++) trial[coords[j]] = z[j];
    const v = acq.valueAndGradient(trial, full);
    for (let j = 0; j < coords.length; j++) grad[j] = -full[coords[j]];
    return -v;
  };
  const z0 = Float64Array.from(coords, (c) => x[c]);
  const lower = new Float64Array(coords.length);
  const upper = new Float64Array(coords.length).fill(1);
  const result = minimizeInBox(objective, z0, lower, upper, { gtol: 1e-6, ftol: 1e-7, maxIterations: 40 });
  if (-result.value > value) {
    for (let j = 0; j < coords.length; j++) x[coords[j]] = result.x[j];
    return -result.value;
  }
  return value;
}

/** Tries other values of one discrete or categorical coordinate and keeps the best. */
function sweepCoordinate(acq: Acquisition, encoding: SearchSpaceEncoding, x: Float64Array, i: number, value: number): number {
  const dim = encoding.dims[i];
  const options: number[] = [];
  if (dim.kind === "categorical") {
    for (let c = 0; c < dim.count; c++) options.push(c);
  } else if (dim.kind === "discrete") {
    if (dim.count <= EXHAUSTIVE_GRID) {
      for (let g = 0; g < dim.count; g++) options.push(encoding.gridPosition(i, g));
    } else {
      // Neighbours at doubling distances: local moves plus a few long jumps along the grid.
      const here = encoding.gridIndex(i, x[i]);
      for (let delta = 1; delta < dim.count; delta *= 2) {
        if (here - delta >= 0) options.push(encoding.gridPosition(i, here - delta));
        if (here + delta < dim.count) options.push(encoding.gridPosition(i, here + delta));
      }
    }
  }
  const trial = Float64Array.from(x);
  let bestValue = value;
  let bestX: Float64Array | null = null;
  for (const u of options) {
    if (u === x[i]) continue;
    trial.set(x);
    trial[i] = u;
    encoding.canonicalize(trial);
    const v = acq.value(trial);
    if (v > bestValue) {
      bestValue = v;
      bestX = Float64Array.from(trial);
    }
  }
  if (bestX) x.set(bestX);
  return bestValue;
}
