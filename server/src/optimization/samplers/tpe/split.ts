import type { StudyView, TrialView } from "../../types";
import { leadingFronts } from "./fronts";
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

/** The considered trials' sort keys, in parallel arrays (one object per trial costs more than the sort). */
interface Ranked {
  /** Lexicographic sort keys: completion level, then objective (minimised). */
  stepKeys: Float64Array;
  scores: Float64Array;
  /** Signed objective vectors (minimised) for multi-objective studies; null otherwise. */
  vectors: number[][] | null;
  violations: Float64Array;
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
  const capacity = study.trials.length;
  const trials: TrialView[] = [];
  const ranked: Ranked = {
    stepKeys: new Float64Array(capacity),
    scores: new Float64Array(capacity),
    vectors: multi ? [] : null,
    violations: new Float64Array(capacity),
  };
  let finished = 0;
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
    const i = trials.length;
    trials.push(trial);
    ranked.stepKeys[i] = stepKey;
    ranked.scores[i] = score;
    ranked.violations[i] = violation;
    if (ranked.vectors) ranked.vectors.push(vector!);
    if (stepKey !== Infinity) finished++;
  }
  const count = trials.length;
  const nBelow = Math.min(count, Math.max(0, options.gamma(finished)));
  const below = new Uint8Array(count);
  const indices: number[] = [];
  for (let i = 0; i < count; i++) indices.push(i);
  const chosen = constraintsEnabled ? splitWithConstraints(ranked, indices, nBelow) : splitPlain(ranked, indices, nBelow);
  for (const i of chosen) below[i] = 1;
  const belowWeights = multi ? multiObjectiveWeights(ranked, below) : null;
  return { trials, below, belowWeights, finished };
}

function lastIntermediate(trial: TrialView): { step: number; value: number } | null {
  let best: { step: number; value: number } | null = null;
  for (const iv of trial.intermediateValues) if (!best || iv.step >= best.step) best = iv;
  return best;
}

function splitWithConstraints(ranked: Ranked, indices: number[], nBelow: number): number[] {
  const violations = ranked.violations;
  let feasibleCount = 0;
  for (const i of indices) if (violations[i] === 0) feasibleCount++;
  if (feasibleCount <= nBelow) {
    return smallest(indices, nBelow, (a, b) => violations[a] - violations[b] || a - b);
  }
  const feasible = indices.filter((i) => violations[i] === 0);
  return splitPlain(ranked, feasible, nBelow);
}

function splitPlain(ranked: Ranked, indices: number[], nBelow: number): number[] {
  if (nBelow <= 0) return [];
  if (ranked.vectors) return splitMultiObjective(ranked.vectors, indices, ranked.stepKeys, nBelow);
  const { stepKeys, scores } = ranked;
  return smallest(indices, nBelow, (a, b) => {
    if (stepKeys[a] !== stepKeys[b]) return stepKeys[a] < stepKeys[b] ? -1 : 1;
    if (scores[a] !== scores[b]) return scores[a] < scores[b] ? -1 : 1;
    return a - b;
  });
}

/**
 * The k first of `items` under `compare` (a total order), in that order. The good group is small
 * (gamma caps it at 25 by default), so keeping a short sorted list beats sorting the history.
 */
function smallest(items: number[], k: number, compare: (a: number, b: number) => number): number[] {
  if (k <= 0) return [];
  if (k > 64 || k >= items.length) return items.slice().sort(compare).slice(0, k);
  const best: number[] = [];
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]) >= 0) continue;
    let pos = best.length === k ? k - 1 : best.length;
    while (pos > 0 && compare(item, best[pos - 1]) < 0) {
      best[pos] = best[pos - 1];
      pos--;
    }
    best[pos] = item;
  }
  return best;
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

function splitMultiObjective(vectors: number[][], indices: number[], stepKeys: Float64Array, nBelow: number): number[] {
  // Liars never enter the good group; they are dominated by everything else anyway.
  const candidates = indices.filter((i) => stepKeys[i] !== Infinity);
  const fronts = leadingFronts(
    candidates.map((i) => vectors[i]),
    nBelow,
  ).map((f) => f.map((j) => candidates[j]));
  const chosen: number[] = [];
  for (const front of fronts) {
    if (chosen.length + front.length <= nBelow) {
      chosen.push(...front);
      if (chosen.length === nBelow) break;
      continue;
    }
    // Greedy hypervolume subset selection on the front that does not fit whole.
    const picks = greedyHypervolumeSubset(
      front.map((i) => vectors[i]),
      nBelow - chosen.length,
    );
    for (const k of picks) chosen.push(front[k]);
    break;
  }
  return chosen;
}

/**
 * Greedy hypervolume subset selection: `count` times, the point adding the most hypervolume
 * (the earliest on ties). Hypervolume is submodular, so a point's gain only shrinks as the subset
 * grows: its last computed gain bounds it, and only the point whose bound leads (kept in a heap)
 * is recomputed (lazy greedy). That picks what the plain greedy loop picks, with far fewer
 * hypervolume computations on a long front.
 */
function greedyHypervolumeSubset(points: number[][], count: number): number[] {
  const ref = referencePoint(points);
  const bound = points.map((p) => hypervolume([p], ref));
  /** Size of the subset each bound was computed against. */
  const computedAt = new Int32Array(points.length);
  const heap = new LeaderHeap((a, b) => bound[a] > bound[b] || (bound[a] === bound[b] && a < b));
  for (let k = 0; k < points.length; k++) heap.push(k);
  const picked: number[][] = [];
  const picks: number[] = [];
  let base = 0;
  while (picks.length < count && heap.size > 0) {
    const best = heap.pop();
    if (computedAt[best] !== picked.length) {
      bound[best] = hypervolume([...picked, points[best]], ref) - base;
      computedAt[best] = picked.length;
      heap.push(best);
      continue;
    }
    picks.push(best);
    picked.push(points[best]);
    base = hypervolume(picked, ref);
  }
  return picks;
}

/** A binary heap of indices; `before(a, b)` says a leads b. */
class LeaderHeap {
  private readonly items: number[] = [];

  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: number): void {
    const items = this.items;
    let k = items.length;
    items.push(item);
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.before(item, items[parent])) break;
      items[k] = items[parent];
      k = parent;
    }
    items[k] = item;
  }

  pop(): number {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      let k = 0;
      for (;;) {
        let child = 2 * k + 1;
        if (child >= items.length) break;
        if (child + 1 < items.length && this.before(items[child + 1], items[child])) child++;
        if (!this.before(items[child], last)) break;
        items[k] = items[child];
        k = child;
      }
      items[k] = last;
    }
    return top;
  }
}

/** MOTPE's weights of the good group: hypervolume contribution, infeasible ones nearly zero. */
function multiObjectiveWeights(ranked: Ranked, below: Uint8Array): Float64Array {
  const { violations, vectors } = ranked;
  const weights = new Float64Array(below.length).fill(1);
  const good: number[] = [];
  for (let i = 0; i < below.length; i++) if (below[i]) good.push(i);
  const feasible = good.filter((i) => violations[i] === 0);
  for (const i of good) if (violations[i] !== 0) weights[i] = 1e-12;
  if (feasible.length <= 1) return weights;
  const points = feasible.map((i) => vectors![i]);
  const ref = referencePoint(points);
  const total = hypervolume(points, ref);
  const contributions = points.map((_, k) => total - hypervolume(points.filter((__, j) => j !== k), ref) + 1e-12);
  const max = Math.max(...contributions);
  feasible.forEach((i, k) => (weights[i] = Math.min(1, Math.max(0, contributions[k] / max))));
  return weights;
}
