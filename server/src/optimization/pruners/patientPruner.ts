import type { JsonValue, StudyView, TrialView } from "../types";
import { PrunerOptions } from "./options";
import { KEEP, prune, type PruneDecision, type Pruner } from "./pruner";
import { bestReported, fmt } from "./series";

export interface PatientPrunerOptions {
  /** Reports without improvement tolerated before the wrapped pruner is asked. Required, >= 0. */
  patience: number;
  /** How much worse than the earlier best the recent best may be and still count as no decline. Default 0. */
  minDelta: number;
}

/**
 * Optuna's PatientPruner: asks the wrapped pruner only once the best of the trial's last
 * `patience` + 1 reports is worse than its best before them by more than `minDelta` (a curve
 * that got worse and stayed worse); with no wrapped pruner, that alone prunes (early stopping of
 * one curve). A flat curve is not pruned.
 */
export class PatientPruner implements Pruner {
  readonly needsHistory: boolean;

  constructor(
    private readonly opts: PatientPrunerOptions,
    private readonly wrapped: Pruner | null,
  ) {
    this.needsHistory = wrapped?.needsHistory ?? false;
  }

  /** `build` creates the wrapped pruner from its {type, options} (the registry's createPruner). */
  static parse(raw: PrunerOptions, build: (type: string, options: Record<string, JsonValue>, path: string) => Pruner): PatientPruner {
    if (!raw.has("patience")) raw.fail("patience", "is required: an integer >= 0.");
    const opts = { patience: raw.int("patience", 0, 0), minDelta: raw.number("minDelta", 0, { min: 0 }) };
    const w = raw.object("wrapped");
    let wrapped: Pruner | null = null;
    if (w) {
      const field = raw.field("wrapped");
      if (typeof w.type !== "string") raw.fail("wrapped", `needs a "type" (a pruner type such as MEDIAN).`);
      for (const k of Object.keys(w)) {
        if (k !== "type" && k !== "options") raw.fail("wrapped", `takes only "type" and "options" (got "${k}").`);
      }
      const options = w.options ?? {};
      if (typeof options !== "object" || Array.isArray(options)) raw.fail("wrapped", `"options" must be a JSON object.`);
      wrapped = build(w.type, options as Record<string, JsonValue>, field);
    }
    raw.done();
    return new PatientPruner(opts, wrapped);
  }

  prune(study: StudyView, trial: TrialView): PruneDecision {
    const reports = trial.intermediateValues;
    const { patience, minDelta } = this.opts;
    if (reports.length <= patience + 1) return KEEP;
    const direction = study.directions[0];
    const split = reports.length - patience - 1;
    const before = bestReported(reports.slice(0, split), direction);
    const after = bestReported(reports.slice(split), direction);
    const stalled = direction === "MAXIMIZE" ? before - minDelta > after : before + minDelta < after;
    if (!stalled) return KEEP;
    const why = `best value ${fmt(after)} of the last ${patience + 1} reports is worse than the earlier best ${fmt(before)}${minDelta > 0 ? ` by more than ${fmt(minDelta)}` : ""}`;
    if (!this.wrapped) return prune(why);
    const inner = this.wrapped.prune(study, trial);
    return inner.shouldPrune ? prune(`${why}, and ${inner.reason ?? "the wrapped pruner prunes it"}`) : KEEP;
  }

  samplerTrials(study: StudyView, trialNumber: number): TrialView[] {
    return this.wrapped?.samplerTrials ? this.wrapped.samplerTrials(study, trialNumber) : study.trials;
  }

  rungSteps(study: StudyView, trialNumber: number): number[] {
    return this.wrapped?.rungSteps ? this.wrapped.rungSteps(study, trialNumber) : [];
  }
}
