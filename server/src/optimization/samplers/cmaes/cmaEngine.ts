import { symmetricEigen } from "../../linalg/symmetricEigen";
import type { Rng } from "../../random";
import { internalBounds } from "../../space";
import type { ParamSpec } from "../../types";
import { normalCdf } from "../gp/logExpectedImprovement";
import { strategyParameters } from "./strategyParameters";

type NumericSpec = Exclude<ParamSpec, { type: "CATEGORICAL" }>;

/**
 * Everything CMA-ES knows between asks, as plain JSON so that it can live in the database and be
 * shared by every server process. Coordinates are in the unit cube of the numeric parameters.
 */
export interface CmaState {
  version: 1;
  /** Which parameters the state belongs to; a different space starts afresh. */
  key: string;
  /** Restarts so far (IPOP); each doubles the population. */
  restarts: number;
  popsize: number;
  /** Generation within the current restart. */
  generation: number;
  mean: number[];
  sigma: number;
  /** Covariance matrix, row-major n * n. */
  cov: number[];
  pc: number[];
  ps: number[];
  /**
   * Per-coordinate step multipliers keeping discrete coordinates from freezing on one grid value
   * (a simple form of the integer margin of Hamano et al. 2022); 1 for continuous coordinates.
   */
  margin: number[];
  /** Candidates handed out in this generation (the index of the next one). */
  asked: number;
  /** Trial number -> the unit-cube point handed to it, for the current generation. */
  members: Record<string, number[]>;
  /** Best value of each recent generation, to detect stagnation. */
  recentBest: number[];
}

/** What CMA-ES needs to know about each coordinate. */
export interface CmaDimension {
  spec: NumericSpec;
  discrete: boolean;
}

export function initialState(key: string, dims: CmaDimension[], popsize: number, mean: number[], sigma0: number, restarts: number): CmaState {
  const n = dims.length;
  const cov = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) cov[i * n + i] = 1;
  const state: CmaState = {
    version: 1,
    key,
    restarts,
    popsize,
    generation: 0,
    mean: mean.slice(),
    sigma: sigma0,
    cov,
    pc: new Array<number>(n).fill(0),
    ps: new Array<number>(n).fill(0),
    margin: new Array<number>(n).fill(1),
    asked: 0,
    members: {},
    recentBest: [],
  };
  updateMargin(state, dims);
  return state;
}

/** Draws x = mean + sigma * margin * B D z inside the unit cube (resampling, then clipping). */
export function sampleCandidate(state: CmaState, rng: Rng): number[] {
  const n = state.mean.length;
  const { vectors, values } = symmetricEigen(state.cov, n);
  const d = Array.from(values, (v) => Math.sqrt(Math.max(v, 1e-30)));
  const x = new Array<number>(n);
  for (let attempt = 0; attempt < 100; attempt++) {
    const z = Array.from({ length: n }, () => rng.normal());
    let inside = true;
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let j = 0; j < n; j++) y += vectors[i * n + j] * d[j] * z[j];
      x[i] = state.mean[i] + state.sigma * state.margin[i] * y;
      if (x[i] < 0 || x[i] > 1) inside = false;
    }
    if (inside) return x;
  }
  return x.map((v) => Math.min(1, Math.max(0, v)));
}

/**
 * One CMA-ES generation update from lambda evaluated candidates (values are minimised).
 * Mutates the state: new mean, step size, paths and covariance; next generation, no members.
 */
export function tell(state: CmaState, dims: CmaDimension[], solutions: Array<{ x: number[]; value: number }>): void {
  const n = state.mean.length;
  const lambda = solutions.length;
  const p = strategyParameters(n, lambda);
  const sorted = solutions.slice().sort((a, b) => a.value - b.value);
  const { mean, sigma, margin } = state;

  const ys = sorted.slice(0, p.mu).map((s) => s.x.map((v, i) => (v - mean[i]) / (sigma * margin[i])));
  const yw = new Array<number>(n).fill(0);
  ys.forEach((y, k) => y.forEach((v, i) => (yw[i] += p.weights[k] * v)));
  const newMean = mean.map((m, i) => Math.min(1, Math.max(0, m + sigma * margin[i] * yw[i])));

  // C^-1/2 yw through the eigen-decomposition of C.
  const { vectors, values } = symmetricEigen(state.cov, n);
  const bty = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += vectors[i * n + j] * yw[i];
    bty[j] = s / Math.sqrt(Math.max(values[j], 1e-30));
  }
  const cInvSqrtYw = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cInvSqrtYw[i] += vectors[i * n + j] * bty[j];

  const csFactor = Math.sqrt(p.cSigma * (2 - p.cSigma) * p.muEff);
  const ps = state.ps.map((v, i) => (1 - p.cSigma) * v + csFactor * cInvSqrtYw[i]);
  const psNorm = Math.sqrt(ps.reduce((a, v) => a + v * v, 0));
  const g = state.generation + 1;
  const hSigma = psNorm / Math.sqrt(1 - (1 - p.cSigma) ** (2 * g)) < (1.4 + 2 / (n + 1)) * p.chiN ? 1 : 0;
  const ccFactor = Math.sqrt(p.cc * (2 - p.cc) * p.muEff);
  const pc = state.pc.map((v, i) => (1 - p.cc) * v + hSigma * ccFactor * yw[i]);

  const decay = 1 - p.c1 - p.cMu + (1 - hSigma) * p.c1 * p.cc * (2 - p.cc);
  const cov = state.cov.slice();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let rankMu = 0;
      for (let k = 0; k < p.mu; k++) rankMu += p.weights[k] * ys[k][i] * ys[k][j];
      cov[i * n + j] = decay * cov[i * n + j] + p.c1 * pc[i] * pc[j] + p.cMu * rankMu;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) cov[i * n + j] = cov[j * n + i] = 0.5 * (cov[i * n + j] + cov[j * n + i]);

  let newSigma = sigma * Math.exp((p.cSigma / p.dSigma) * (psNorm / p.chiN - 1));
  // Flat fitness: the best and a middle candidate tie, so the step is too small to see a slope.
  if (sorted[0].value === sorted[Math.min(lambda - 1, Math.ceil(0.7 * lambda))].value) newSigma *= Math.exp(0.2 + p.cSigma / p.dSigma);
  newSigma = Math.min(newSigma, 1e3);

  state.mean = newMean;
  state.sigma = newSigma;
  state.ps = ps;
  state.pc = pc;
  state.cov = cov;
  state.generation = g;
  state.asked = 0;
  state.members = {};
  const history = 10 + Math.ceil((30 * n) / lambda);
  state.recentBest = [...state.recentBest, sorted[0].value].slice(-history);
  updateMargin(state, dims);
}

/**
 * Stopping tests of the tutorial, used to trigger a restart: the step has become negligible in
 * every coordinate, the values of recent generations are all equal, or C is ill-conditioned.
 */
export function hasStagnated(state: CmaState, lastValues: number[]): boolean {
  const n = state.mean.length;
  let maxStd = 0;
  for (let i = 0; i < n; i++) maxStd = Math.max(maxStd, state.sigma * state.margin[i] * Math.sqrt(Math.max(state.cov[i * n + i], 0)));
  if (maxStd < 1e-10) return true;
  const history = 10 + Math.ceil((30 * n) / state.popsize);
  if (state.recentBest.length >= history) {
    const all = [...state.recentBest, ...lastValues];
    if (Math.max(...all) - Math.min(...all) < 1e-12) return true;
  }
  const { values } = symmetricEigen(state.cov, n);
  const max = Math.max(...values);
  const min = Math.min(...values);
  return !(min > 0) || max / min > 1e14;
}

/**
 * Keeps each discrete coordinate's standard deviation at least a fraction of its current grid
 * cell, so that a candidate leaves the mean's cell with probability >= alpha = 1 / (n lambda)
 * (when the mean sits mid-cell) and the search does not freeze on one integer.
 */
function updateMargin(state: CmaState, dims: CmaDimension[]): void {
  const n = dims.length;
  const alpha = Math.min(0.2, 1 / (n * state.popsize));
  const zq = inverseNormalCdf(1 - alpha / 2);
  for (let i = 0; i < n; i++) {
    const dim = dims[i];
    if (!dim.discrete) {
      state.margin[i] = 1;
      continue;
    }
    const width = cellWidth(dim.spec, state.mean[i]);
    const floor = width / (2 * zq);
    const std = state.sigma * Math.sqrt(Math.max(state.cov[i * n + i], 1e-30));
    state.margin[i] = Math.max(1, floor / std);
  }
}

/** Width in the unit cube of the grid cell around u (cells are unequal on a log scale). */
function cellWidth(spec: NumericSpec, u: number): number {
  const { lo, hi } = internalBounds(spec);
  const step = spec.step as number;
  const x = lo + Math.min(1, Math.max(0, u)) * (hi - lo);
  const value = spec.log ? Math.exp(x) : x;
  const k = Math.round((value - spec.low) / step);
  const centre = spec.low + k * step;
  const edge = (v: number) => ((spec.log ? Math.log(v) : v) - lo) / (hi - lo);
  return Math.max(1e-12, edge(Math.min(centre + step / 2, spec.high + step / 2)) - edge(Math.max(centre - step / 2, spec.low - step / 2)));
}

function inverseNormalCdf(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = 0.5 * (lo + hi);
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
