import type { StudyView, TrialView } from "../../types";
import { hypervolume } from "./hypervolume";

/** Trials the model learns from, with the below/above split of one ask. */
export interface ObservationSplit {
  /** Trials considered, in trial-number order. */
  trials: TrialView[];
  /** Per considered trial: 1 when it is in the good ("below") group. */
  below: Uint8Array;
  /**
   * Per considered trial: its weight inside the good group for multi-objective studies
   * (hypervolume contribution); null when all good trials weigh the same.
   */
  belowWeights: Float64Array | null;
  /** Finished trials (COMPLETE and PRUNED) among them: the n of gamma(n) and of the start-up. */
  finished: number;
}

/** How the split treats history (a subset of the TPE options). */
export interface SplitOptions {
  gamma: (n: number) => number;
  /** Count RUNNING (and WAITING) trials as the worst result so parallel asks spread out. */
  constantLiar: boolean;
}

interface Ranked {
  trial: TrialView;
  /** Lexicographic sort keys: completion level, then objective (minimised). */
  stepKey: number;
  score: number;
  /** Signed objective vector (minimised) for multi-objective studies. */
  vector: number[] | null;
  violation: number;
}

/**
 * Optuna's observation pairs and split. Single objective: COMPLETE trials rank by value; PRUNED
 * trials after them, deeper ones first, by their last intermediate value (a NaN ranks worst, no
 * report ranks after every reported step); liars (RUNNING) rank last. With constraints, feasible
 * trials (every constraint <= 0) come first and infeasible ones follow by total violation.
 * Several objectives: pruned trials are left out; the good group is filled front by front of
 * non-dominated sorting, and the last front partly by greedy hypervolume contribution, as MOTPE.
 */
export function splitObservations(study: StudyView, options: SplitOptions): ObservationSplit {
  const signs = study.directions.map((d) => (d === "MAXIMIZE" ? -1 : 1));
  const multi = signs.length > 1;
  const constraintsEnabled = study.trials.some((t) => Array.isArray(t.constraints));
  const ranked: Ranked[] = [];
  for (const trial of study.trials) {
    let stepKey: number;
    let score = 0;
    let vector: number[] | null = null;
    if (trial.state === "COMPLETE") {
      if (!trial.values || trial.values.length !== signs.length) continue;
      stepKey = -Infinity;
      if (multi) vector = trial.values.map((v, k) => signs[k] * v);
      else score = signs[0] * trial.values[0];
      if (Number.isNaN(score)) score = Infinity;
    } else if (trial.state === "PRUNED") {
      if (multi) continue;
      const last = lastIntermediate(trial);
      if (last) {
        stepKey = -last.step;
        score = Number.isNaN(last.value) ? Infinity : signs[0] * last.value;
      } else if (trial.values && trial.values.length === 1 && Number.isFinite(trial.values[0])) {
        stepKey = 0;
        score = signs[0] * trial.values[0];
      } else {
        stepKey = 1;
        score = 0;
      }
    } else if ((trial.state === "RUNNING" || trial.state === "WAITING") && options.constantLiar) {
      stepKey = Infinity;
      score = Infinity;
      if (multi) vector = signs.map(() => Infinity);
    } else {
      continue;
    }
    let violation = 0;
    if (constraintsEnabled) {
      if (stepKey === Infinity) violation = Infinity;
      else if (!Array.isArray(trial.constraints)) violation = Infinity;
      else for (const c of trial.constraints) if (c > 0) violation += c;
    }
    ranked.push({ trial, stepKey, score, vector, violation });
  }
  const finished = ranked.filter((r) => r.stepKey !== Infinity).length;
  const nBelow = Math.min(ranked.length, Math.max(0, options.gamma(finished)));
  const below = new Uint8Array(ranked.length);
  const indices = ranked.map((_, i) => i);
  const chosen = constraintsEnabled ? splitWithConstraints(ranked, indices, nBelow) : splitPlain(ranked, indices, nBelow);
  for (const i of chosen) below[i] = 1;
  const belowWeights = multi ? multiObjectiveWeights(ranked, below) : null;
  return { trials: ranked.map((r) => r.trial), below, belowWeights, finished };
}

function lastIntermediate(trial: TrialView): { step: number; value: number } | null {
  let best: { step: number; value: number } | null = null;
  for (const iv of trial.intermediateValues) if (!best || iv.step >= best.step) best = iv;
  return best;
}

function splitWithConstraints(ranked: Ranked[], indices: number[], nBelow: number): number[] {
  const byViolation = indices.slice().sort((a, b) => ranked[a].violation - ranked[b].violation || a - b);
  if (nBelow >= byViolation.length || ranked[byViolation[nBelow]].violation > 0) return byViolation.slice(0, nBelow);
  const feasible = indices.filter((i) => ranked[i].violation === 0);
  return splitPlain(ranked, feasible, nBelow);
}

function splitPlain(ranked: Ranked[], indices: number[], nBelow: number): number[] {
  if (nBelow <= 0) return [];
  if (ranked.length > 0 && ranked[indices[0]]?.vector) return splitMultiObjective(ranked, indices, nBelow);
  const sorted = indices.slice().sort((a, b) => {
    const ra = ranked[a];
    const rb = ranked[b];
    if (ra.stepKey !== rb.stepKey) return ra.stepKey < rb.stepKey ? -1 : 1;
    if (ra.score !== rb.score) return ra.score < rb.score ? -1 : 1;
    return a - b;
  });
  return sorted.slice(0, nBelow);
}

function dominates(a: number[], b: number[]): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

/** Non-dominated fronts (indices into `ranked`), best first. */
export function nondominatedFronts(vectors: number[][]): number[][] {
  const n = vectors.length;
  const dominatedBy = new Int32Array(n);
  const dominating: number[][] = vectors.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(vectors[i], vectors[j])) dominating[i].push(j), dominatedBy[j]++;
      else if (dominates(vectors[j], vectors[i])) dominating[j].push(i), dominatedBy[i]++;
    }
  }
  const fronts: number[][] = [];
  let current = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    current = next;
  }
  return fronts;
}

function referencePoint(points: number[][]): number[] {
  const m = points[0].length;
  const ref: number[] = [];
  for (let k = 0; k < m; k++) {
    let worst = -Infinity;
    for (const p of points) if (Number.isFinite(p[k]) && p[k] > worst) worst = p[k];
    if (worst === -Infinity) worst = 0;
    const r = Math.max(1.1 * worst, 0.9 * worst);
    ref.push(r === 0 ? 1e-12 : r);
  }
  return ref;
}

function splitMultiObjective(ranked: Ranked[], indices: number[], nBelow: number): number[] {
  // Liars never enter the good group; they are dominated by everything else anyway.
  const candidates = indices.filter((i) => ranked[i].stepKey !== Infinity);
  const fronts = nondominatedFronts(candidates.map((i) => ranked[i].vector!)).map((f) => f.map((j) => candidates[j]));
  const chosen: number[] = [];
  for (const front of fronts) {
    if (chosen.length + front.length <= nBelow) {
      chosen.push(...front);
      if (chosen.length === nBelow) break;
      continue;
    }
    // Greedy hypervolume subset selection on the front that does not fit whole.
    const points = front.map((i) => ranked[i].vector!);
    const ref = referencePoint(points);
    const picked: number[][] = [];
    const left = front.slice();
    while (chosen.length < nBelow && left.length > 0) {
      const base = hypervolume(picked, ref);
      let bestK = 0;
      let bestGain = -Infinity;
      left.forEach((i, k) => {
        const gain = hypervolume([...picked, ranked[i].vector!], ref) - base;
        if (gain > bestGain) bestGain = gain, bestK = k;
      });
      const [i] = left.splice(bestK, 1);
      picked.push(ranked[i].vector!);
      chosen.push(i);
    }
    break;
  }
  return chosen;
}

/** MOTPE's weights of the good group: hypervolume contribution, infeasible ones nearly zero. */
function multiObjectiveWeights(ranked: Ranked[], below: Uint8Array): Float64Array {
  const weights = new Float64Array(ranked.length).fill(1);
  const good: number[] = [];
  for (let i = 0; i < ranked.length; i++) if (below[i]) good.push(i);
  const feasible = good.filter((i) => ranked[i].violation === 0);
  for (const i of good) if (ranked[i].violation !== 0) weights[i] = 1e-12;
  if (feasible.length <= 1) return weights;
  const points = feasible.map((i) => ranked[i].vector!);
  const ref = referencePoint(points);
  const total = hypervolume(points, ref);
  const contributions = points.map((_, k) => total - hypervolume(points.filter((__, j) => j !== k), ref) + 1e-12);
  const max = Math.max(...contributions);
  feasible.forEach((i, k) => (weights[i] = Math.min(1, Math.max(0, contributions[k] / max))));
  return weights;
}
