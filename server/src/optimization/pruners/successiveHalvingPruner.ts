import type { Direction, StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { bestAtRung, bestReported, fmt, valueAtRung } from "./series";

export interface SuccessiveHalvingPrunerOptions {
  /**
   * Steps before the first rung (r in the ASHA paper). "auto" (the default), as in Optuna: the
   * longest COMPLETE trial's last step / 100, at least 1; no pruning before a trial completes.
   */
  minResource: number | "auto";
  /** Keep the top 1/reductionFactor at each rung (eta). Default 4, >= 2. */
  reductionFactor: number;
  /** The first rung is at minResource * reductionFactor^minEarlyStoppingRate (s). Default 0. */
  minEarlyStoppingRate: number;
  /**
   * Trials that must have reached a rung before any is promoted from it; the first ones to arrive
   * are pruned, as in Optuna. Default 0; needs a fixed minResource.
   */
  bootstrapCount: number;
  /**
   * Which value of a trial competes at a rung: "last", its report there (the default, as Optuna
   * and the ASHA paper), or "best", the best it reported up to there, which is steadier when
   * reports are noisy from step to step.
   */
  rungValue: RungValue;
}

/** See SuccessiveHalvingPrunerOptions.rungValue. */
export type RungValue = "last" | "best";

/** Reads the rungValue option shared by the rung-based pruners. */
export function parseRungValue(raw: PrunerOptions): RungValue {
  const v = raw.string("rungValue", "last", ["last", "best"]);
  return v as RungValue;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018), as Optuna's SuccessiveHalvingPruner.
 * Rung k sits at step minResource * eta^(s + k). When a trial's report first reaches a rung it
 * competes with every other trial that reached that rung (any state: PRUNED trials keep the
 * values they had there); it goes on if its value is among the top floor(n / eta) of the n
 * competitors (the best one while n < eta), and is pruned otherwise. A trial is judged at each rung
 * once, by the report that crosses it, so the decision is a pure function of the reports.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly needsHistory = true;

  constructor(private readonly opts: SuccessiveHalvingPrunerOptions) {}

  static parse(raw: PrunerOptions): SuccessiveHalvingPruner {
    const opts: SuccessiveHalvingPrunerOptions = {
      minResource: raw.intOrAuto("minResource", "auto", 1),
      reductionFactor: raw.int("reductionFactor", 4, 2),
      minEarlyStoppingRate: raw.int("minEarlyStoppingRate", 0, 0),
      bootstrapCount: raw.int("bootstrapCount", 0, 0),
      rungValue: parseRungValue(raw),
    };
    if (opts.bootstrapCount > 0 && opts.minResource === "auto") {
      raw.fail("bootstrapCount", `needs a fixed minResource (an integer), not "auto".`);
    }
    raw.done();
    return new SuccessiveHalvingPruner(opts);
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const minResource = this.opts.minResource === "auto" ? estimateMinResource(study.trials) : this.opts.minResource;
    if (minResource === null) return KEEP;
    return judgeAtRungs(study.trials, study.directions[0], trial, {
      minResource,
      reductionFactor: this.opts.reductionFactor,
      minEarlyStoppingRate: this.opts.minEarlyStoppingRate,
      bootstrapCount: this.opts.bootstrapCount,
      rungValue: this.opts.rungValue,
    });
  }

  get rungValue(): RungValue {
    return this.opts.rungValue;
  }

  rungSteps(study: StudyView): number[] {
    const minResource = this.opts.minResource === "auto" ? estimateMinResource(study.trials) : this.opts.minResource;
    if (minResource === null) return [];
    return rungStepsUpTo(minResource, this.opts.reductionFactor, this.opts.minEarlyStoppingRate, maxReportedStep(study.trials));
  }
}

export interface RungSchedule {
  minResource: number;
  reductionFactor: number;
  minEarlyStoppingRate: number;
  bootstrapCount: number;
  rungValue: RungValue;
}

/** Step of rung k. */
export function rungStep(s: Pick<RungSchedule, "minResource" | "reductionFactor" | "minEarlyStoppingRate">, k: number): number {
  return s.minResource * s.reductionFactor ** (s.minEarlyStoppingRate + k);
}

/** Rung steps from the first one up to `maxStep` inclusive. */
export function rungStepsUpTo(minResource: number, eta: number, rate: number, maxStep: number): number[] {
  const steps: number[] = [];
  for (let r = minResource * eta ** rate; r <= maxStep; r *= eta) steps.push(r);
  return steps;
}

export function maxReportedStep(trials: readonly TrialView[]): number {
  let max = -Infinity;
  for (const t of trials) {
    const r = t.intermediateValues;
    if (r.length && r[r.length - 1].step > max) max = r[r.length - 1].step;
  }
  return max;
}

/** Optuna's "auto": the longest COMPLETE trial's last step / 100 (at least 1); null before any completes. */
export function estimateMinResource(trials: readonly TrialView[]): number | null {
  let last = -1;
  for (const t of trials) {
    const r = t.intermediateValues;
    if (t.state === "COMPLETE" && r.length && r[r.length - 1].step > last) last = r[r.length - 1].step;
  }
  return last < 0 ? null : Math.max(Math.floor(last / 100), 1);
}

/**
 * The ASHA decision for `trial`'s latest report against `others` (the study's other trials, or a
 * Hyperband bracket's). Judges every rung the latest report crossed, lowest first.
 */
export function judgeAtRungs(others: readonly TrialView[], direction: Direction, trial: TrialView, s: RungSchedule): PruneDecision {
  const reports = trial.intermediateValues;
  const n = reports.length;
  if (n === 0) return KEEP;
  const step = reports[n - 1].step;
  const best = s.rungValue === "best";
  const value = best ? bestReported(reports, direction) : reports[n - 1].value;
  const previousStep = n > 1 ? reports[n - 2].step : -Infinity;
  // The first rung the latest report crossed: rungs at or below previousStep were judged before.
  let k = 0;
  while (rungStep(s, k) <= previousStep) k++;
  for (; rungStep(s, k) <= step; k++) {
    const rung = rungStep(s, k);
    if (Number.isNaN(value)) return prune(best ? `every value up to step ${step} is NaN` : `value at step ${step} is NaN`);
    // Count competitors at this rung and how many of them are strictly better (NaN is worst).
    let competitors = 1;
    let betterCount = 0;
    for (const t of others) {
      if (t.number === trial.number) continue;
      const v = best ? bestAtRung(t.intermediateValues, rung, direction) : valueAtRung(t.intermediateValues, rung);
      if (v === undefined) continue;
      competitors++;
      if (!Number.isNaN(v) && (direction === "MAXIMIZE" ? v > value : v < value)) betterCount++;
    }
    if (competitors <= s.bootstrapCount) {
      return prune(`only ${competitors} of the ${s.bootstrapCount} bootstrap trials have reached rung ${k} (step ${rung}); the first ones are not promoted`);
    }
    const promotable = Math.max(Math.floor(competitors / s.reductionFactor), 1);
    if (betterCount >= promotable) {
      const cut = promotable === 1 ? "the best" : `the top ${promotable}`;
      return prune(
        `${best ? "best value" : "value"} ${fmt(value)} ${best ? "up to" : "at"} step ${step} is not among ${cut} of ${competitors} trials at rung ${k} (step ${rung}): ${betterCount} are better`,
      );
    }
  }
  return KEEP;
}
