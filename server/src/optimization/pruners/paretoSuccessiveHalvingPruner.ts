/**
 * Successive halving for multi-objective studies. Optuna, Ray Tune and W&B prune only
 * single-objective studies; this pruner carries ASHA's rungs over to Pareto dominance.
 *
 * Each report is a vector, one value per objective (`TrialView.intermediateVectors`; a
 * single-objective study may use `intermediateValues`). Rungs sit at minResource * eta^(s + k) as
 * in SUCCESSIVE_HALVING. When a trial's report first reaches a rung it is compared with every other
 * trial that reached the rung (their vectors there), all turned into minimisation:
 *
 * 1. A trial that no competitor dominates by more than `epsilon` (per objective, as a fraction of
 *    that objective's spread at the rung) goes on: a point of the rung's Pareto front, or one
 *    within tolerance of it, is never pruned. epsilon = 0 protects exactly the non-dominated set.
 * 2. Otherwise the competitors are ordered as NSGA-II selects: by non-domination rank, then by
 *    crowding distance within a front (boundary points first). The trial goes on if fewer than
 *    max(floor(n / eta), 1) competitors come strictly before it; it is pruned otherwise.
 *
 * So the pruner keeps about 1/eta of each rung, as ASHA does, but never loses a trade-off that is
 * currently best at that budget. A NaN in the trial's vector prunes it; competitors with a NaN
 * rank last. Cost: O(M n) when at least max(floor(n / eta), 1) competitors dominate the trial (the
 * usual case for a trial that is pruned), else a non-dominated sort of the rung: O(n log n) for two
 * objectives, O(M n^2) for more.
 */
import type { Direction, IntermediateVector, StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { firstIndexAtOrAfter, fmt } from "./series";
import { estimateMinResource, maxReportedStep, rungStep, rungStepsUpTo } from "./successiveHalvingPruner";

export interface ParetoSuccessiveHalvingPrunerOptions {
  /** Steps before the first rung; "auto" as SUCCESSIVE_HALVING (the default). */
  minResource: number | "auto";
  /** Keep about 1/reductionFactor of each rung. Default 3, >= 2. */
  reductionFactor: number;
  /** The first rung is at minResource * reductionFactor^minEarlyStoppingRate. Default 0. */
  minEarlyStoppingRate: number;
  /** Dominance tolerance, a fraction of each objective's spread at the rung. Default 0, >= 0. */
  epsilon: number;
}

export class ParetoSuccessiveHalvingPruner implements Pruner {
  readonly needsHistory = true;

  constructor(private readonly opts: ParetoSuccessiveHalvingPrunerOptions) {}

  static parse(raw: PrunerOptions): ParetoSuccessiveHalvingPruner {
    const opts = {
      minResource: raw.intOrAuto("minResource", "auto", 1),
      reductionFactor: raw.int("reductionFactor", 3, 2),
      minEarlyStoppingRate: raw.int("minEarlyStoppingRate", 0, 0),
      epsilon: raw.number("epsilon", 0, { min: 0 }),
    };
    raw.done();
    return new ParetoSuccessiveHalvingPruner(opts);
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const reports = vectorsOf(trial, study.directions.length);
    const n = reports.length;
    if (n === 0) return KEEP;
    const minResource = this.opts.minResource === "auto" ? estimateMinResource(study.trials) : this.opts.minResource;
    if (minResource === null) return KEEP;
    const schedule = { minResource, reductionFactor: this.opts.reductionFactor, minEarlyStoppingRate: this.opts.minEarlyStoppingRate };
    const { step, values } = reports[n - 1];
    const previousStep = n > 1 ? reports[n - 2].step : -Infinity;
    let k = 0;
    while (rungStep(schedule, k) <= previousStep) k++;
    for (; rungStep(schedule, k) <= step; k++) {
      const rung = rungStep(schedule, k);
      if (values.some((v) => Number.isNaN(v))) return prune(`a value at step ${step} is NaN`);
      const decision = this.judge(study, trial, rung, k, step);
      if (decision.shouldPrune) return decision;
    }
    return KEEP;
  }

  private judge(study: StudyView, trial: TrialView, rung: number, k: number, step: number): PruneDecision {
    const m = study.directions.length;
    const sign = study.directions.map((d: Direction) => (d === "MAXIMIZE" ? -1 : 1));
    // Row 0 is the trial being judged; rows 1.. its competitors at this rung, as minimisation.
    const points: number[][] = [vectorAtRung(vectorsOf(trial, m), rung)!.map((v, i) => v * sign[i])];
    const numbers: number[] = [trial.number];
    for (const t of study.trials) {
      if (t.number === trial.number) continue;
      const v = vectorAtRung(vectorsOf(t, m), rung);
      if (!v || v.length !== m) continue;
      points.push(v.map((x, i) => (Number.isNaN(x) ? Infinity : x * sign[i])));
      numbers.push(t.number);
    }
    const n = points.length;
    const keep = Math.max(Math.floor(n / this.opts.reductionFactor), 1);

    // 1. Within tolerance of the rung's front: never pruned.
    const spread = new Array<number>(m).fill(0);
    for (let j = 0; j < m; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const p of points) {
        if (Number.isFinite(p[j])) {
          lo = Math.min(lo, p[j]);
          hi = Math.max(hi, p[j]);
        }
      }
      spread[j] = hi > lo ? hi - lo : 0;
    }
    const tol = spread.map((s) => s * this.opts.epsilon);
    let dominator = -1;
    for (let i = 1; i < n; i++) {
      if (dominatesBy(points[i], points[0], tol)) {
        dominator = i;
        break;
      }
    }
    if (dominator < 0) return KEEP;
    const shown = (p: number[]) => `(${p.map((v, i) => fmt(v * sign[i])).join(", ")})`;

    // 2. NSGA-II order: rank, then crowding distance within the trial's front. Every trial that
    // dominates this one ranks ahead of it, so when there are enough of those the sort is skipped.
    const zero = new Array<number>(m).fill(0);
    let dominators = 0;
    for (let i = 1; i < n && dominators < keep; i++) if (dominatesBy(points[i], points[0], zero)) dominators++;
    if (dominators >= keep) {
      return prune(
        `values ${shown(points[0])} at step ${step} are dominated by trial ${numbers[dominator]}'s ${shown(points[dominator])} and ${keep - 1 > 0 ? `at least ${keep - 1} more` : "no other"} trials at rung ${k} (step ${rung}); the top ${keep} of ${n} go on`,
      );
    }
    const rank = nonDominatedRanks(points);
    let ahead = 0;
    for (let i = 1; i < n; i++) if (rank[i] < rank[0]) ahead++;
    if (ahead < keep) {
      const front: number[] = [];
      for (let i = 0; i < n; i++) if (rank[i] === rank[0]) front.push(i);
      const crowd = crowdingDistances(front.map((i) => points[i]));
      for (let f = 1; f < front.length; f++) if (crowd[f] > crowd[0]) ahead++;
    }
    if (ahead < keep) return KEEP;
    return prune(
      `values ${shown(points[0])} at step ${step} are dominated by trial ${numbers[dominator]}'s ${shown(points[dominator])} at rung ${k} (step ${rung}), on front ${rank[0] + 1} with ${ahead} of ${n} trials ahead; the top ${keep} go on`,
    );
  }

  rungSteps(study: StudyView): number[] {
    const minResource = this.opts.minResource === "auto" ? estimateMinResource(study.trials) : this.opts.minResource;
    if (minResource === null) return [];
    return rungStepsUpTo(minResource, this.opts.reductionFactor, this.opts.minEarlyStoppingRate, maxReportedStep(study.trials));
  }
}

/** The trial's vector reports; a single-objective trial's scalar reports as 1-vectors. */
function vectorsOf(trial: TrialView, m: number): readonly IntermediateVector[] {
  if (trial.intermediateVectors) return trial.intermediateVectors;
  if (m === 1) return trial.intermediateValues.map((r) => ({ step: r.step, values: [r.value] }));
  return [];
}

function vectorAtRung(reports: readonly IntermediateVector[], rung: number): number[] | undefined {
  const i = firstIndexAtOrAfter(reports, rung);
  return i < reports.length ? reports[i].values : undefined;
}

/** a dominates b by more than tol: a + tol <= b everywhere and a + tol < b somewhere (minimisation). */
export function dominatesBy(a: readonly number[], b: readonly number[], tol: readonly number[]): boolean {
  let strict = false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j] + tol[j];
    if (x > b[j]) return false;
    if (x < b[j]) strict = true;
  }
  return strict;
}

/** Non-dominated sorting: rank 0 is the Pareto front. O(n log n) for two objectives. */
export function nonDominatedRanks(points: readonly number[][]): Int32Array {
  return points.length > 0 && points[0].length === 2 ? nonDominatedRanks2d(points) : nonDominatedRanksDeb(points);
}

/**
 * Two objectives: in (f1, f2) order, an earlier distinct point dominates a later one iff its f2 is
 * not larger; each front's smallest f2 grows with the front, so a point's front is found by a
 * binary search over those minima. Identical points share a rank.
 */
export function nonDominatedRanks2d(points: readonly number[][]): Int32Array {
  const n = points.length;
  const order = [...points.keys()].sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1]);
  const rank = new Int32Array(n);
  const frontMin: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const prev = k > 0 ? order[k - 1] : -1;
    if (prev >= 0 && points[prev][0] === points[i][0] && points[prev][1] === points[i][1]) {
      rank[i] = rank[prev];
      continue;
    }
    const f2 = points[i][1];
    let lo = 0;
    let hi = frontMin.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (frontMin[mid] <= f2) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
    frontMin[lo] = f2;
  }
  return rank;
}

/** Deb's fast non-dominated sort, any number of objectives. */
export function nonDominatedRanksDeb(points: readonly number[][]): Int32Array {
  const n = points.length;
  const zero = new Array<number>(points[0]?.length ?? 0).fill(0);
  const dominatedBy = new Int32Array(n);
  const dominates: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesBy(points[i], points[j], zero)) {
        dominates[i].push(j);
        dominatedBy[j]++;
      } else if (dominatesBy(points[j], points[i], zero)) {
        dominates[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const rank = new Int32Array(n).fill(-1);
  let front: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) front.push(i);
  for (let r = 0; front.length; r++) {
    const next: number[] = [];
    for (const i of front) {
      rank[i] = r;
      for (const j of dominates[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    front = next;
  }
  return rank;
}

/** NSGA-II crowding distance within one front; boundary points get Infinity. */
export function crowdingDistances(front: readonly number[][]): Float64Array {
  const n = front.length;
  const d = new Float64Array(n);
  if (n <= 2) return d.fill(Infinity);
  const m = front[0].length;
  for (let j = 0; j < m; j++) {
    const idx = [...front.keys()].sort((a, b) => front[a][j] - front[b][j]);
    const lo = front[idx[0]][j];
    const hi = front[idx[n - 1]][j];
    d[idx[0]] = Infinity;
    d[idx[n - 1]] = Infinity;
    if (!(hi > lo) || !Number.isFinite(hi - lo)) continue;
    for (let k = 1; k < n - 1; k++) d[idx[k]] += (front[idx[k + 1]][j] - front[idx[k - 1]][j]) / (hi - lo);
  }
  return d;
}
