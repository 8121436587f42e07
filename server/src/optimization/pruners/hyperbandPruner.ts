import type { StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, type PruneDecision, type Pruner } from "./pruner";
import { type RungValue, judgeAtRungs, maxReportedStep, parseRungValue, rungStepsUpTo } from "./successiveHalvingPruner";

export interface HyperbandPrunerOptions {
  /** Steps before the first rung of the most aggressive bracket. Default 1. */
  minResource: number;
  /**
   * The step a trial that is never pruned reaches. "auto" (the default): the longest COMPLETE
   * trial's last step; no pruning before a trial completes.
   */
  maxResource: number | "auto";
  /** eta, for every bracket. Default 3, >= 2. */
  reductionFactor: number;
  /** As SUCCESSIVE_HALVING's bootstrapCount, per bracket. Default 0. */
  bootstrapCount: number;
  /** As SUCCESSIVE_HALVING's rungValue: "last" (the default) or "best". */
  rungValue: RungValue;
}

/** The brackets of one study once maxResource is known. */
export interface BracketLayout {
  /** floor(log_eta(maxResource / minResource)) + 1. */
  count: number;
  /** Bracket b's share: ceil(count * eta^(count-1-b) / (count-b)), as in Optuna. */
  budgets: number[];
  total: number;
}

/**
 * Hyperband (Li et al. 2017) over ASHA, as Optuna's HyperbandPruner: bracket b runs successive
 * halving with its first rung at minResource * eta^b, from aggressive (b = 0, judged after
 * minResource steps) to none at all (the last bracket). Each trial belongs to one bracket, picked
 * from a hash of its number weighted by the bracket budgets, and competes only with the trials of
 * its bracket. The sampler too should learn only from that bracket (see `samplerTrials`), as in
 * Optuna; a multi-fidelity view (multiFidelity/) that trains on one rung is the alternative.
 */
export class HyperbandPruner implements Pruner {
  readonly needsHistory = true;

  constructor(private readonly opts: HyperbandPrunerOptions) {}

  static parse(raw: PrunerOptions): HyperbandPruner {
    const opts: HyperbandPrunerOptions = {
      minResource: raw.int("minResource", 1, 1),
      maxResource: raw.intOrAuto("maxResource", "auto", 1),
      reductionFactor: raw.int("reductionFactor", 3, 2),
      bootstrapCount: raw.int("bootstrapCount", 0, 0),
      rungValue: parseRungValue(raw),
    };
    if (opts.maxResource !== "auto" && opts.maxResource < opts.minResource) {
      raw.fail("maxResource", `must be at least minResource (${opts.maxResource} < ${opts.minResource}).`);
    }
    raw.done();
    return new HyperbandPruner(opts);
  }

  /** The bracket layout, or null while maxResource is "auto" and no trial has completed. */
  layout(trials: readonly TrialView[]): BracketLayout | null {
    let maxResource = this.opts.maxResource;
    if (maxResource === "auto") {
      let last = -1;
      for (const t of trials) {
        const r = t.intermediateValues;
        if (t.state === "COMPLETE" && r.length && r[r.length - 1].step > last) last = r[r.length - 1].step;
      }
      if (last < this.opts.minResource) return null;
      maxResource = last;
    }
    return bracketLayout(this.opts.minResource, maxResource, this.opts.reductionFactor);
  }

  /** The bracket of trial `trialNumber` (0 while the layout is unknown). */
  bracketOf(trials: readonly TrialView[], trialNumber: number): number {
    const layout = this.layout(trials);
    return layout ? bracketOfNumber(layout, trialNumber) : 0;
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const layout = this.layout(study.trials);
    if (!layout) return KEEP;
    const bracket = bracketOfNumber(layout, trial.number);
    const peers = study.trials.filter((t) => bracketOfNumber(layout, t.number) === bracket);
    const decision = judgeAtRungs(peers, study.directions[0], trial, {
      minResource: this.opts.minResource,
      reductionFactor: this.opts.reductionFactor,
      minEarlyStoppingRate: bracket,
      bootstrapCount: this.opts.bootstrapCount,
      rungValue: this.opts.rungValue,
    });
    return decision.shouldPrune ? { shouldPrune: true, reason: `${decision.reason} in bracket ${bracket}` } : decision;
  }

  samplerTrials(study: StudyView, trialNumber: number): TrialView[] {
    const layout = this.layout(study.trials);
    if (!layout) return study.trials;
    const bracket = bracketOfNumber(layout, trialNumber);
    return study.trials.filter((t) => bracketOfNumber(layout, t.number) === bracket);
  }

  get rungValue(): RungValue {
    return this.opts.rungValue;
  }

  /** Every bracket's rungs (bracket 0's ladder, which contains the others'), up to maxResource. */
  rungSteps(study: StudyView): number[] {
    if (!this.layout(study.trials)) return [];
    const cap = this.opts.maxResource === "auto" ? Infinity : this.opts.maxResource;
    return rungStepsUpTo(this.opts.minResource, this.opts.reductionFactor, 0, Math.min(cap, maxReportedStep(study.trials)));
  }
}

export function bracketLayout(minResource: number, maxResource: number, eta: number): BracketLayout {
  // Integer arithmetic for floor(log_eta(max / min)): Math.log would misplace exact powers.
  let count = 1;
  for (let r = minResource * eta; r <= maxResource; r *= eta) count++;
  const budgets: number[] = [];
  for (let b = 0; b < count; b++) {
    const s = count - 1 - b;
    budgets.push(Math.ceil((count * eta ** s) / (s + 1)));
  }
  return { count, budgets, total: budgets.reduce((a, b) => a + b, 0) };
}

/** Deterministic and balanced: a 32-bit mix of the trial number, mapped onto the budgets. */
export function bracketOfNumber(layout: BracketLayout, trialNumber: number): number {
  let n = mix32(trialNumber) % layout.total;
  for (let b = 0; b < layout.count; b++) {
    n -= layout.budgets[b];
    if (n < 0) return b;
  }
  return layout.count - 1;
}

/** murmur3's finaliser: consecutive numbers land far apart. */
function mix32(x: number): number {
  let h = (x ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
