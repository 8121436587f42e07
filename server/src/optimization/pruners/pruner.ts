import type { JsonValue, StudyView, TrialView } from "../types";

export interface PruneDecision {
  shouldPrune: boolean;
  /** Why the trial was pruned, in words a person reads on the dashboard; null when kept. */
  reason: string | null;
}

/**
 * One method, as in Optuna: given the study's other trials and this trial's reports so far
 * (`trial.intermediateValues`, sorted by step), prune or not.
 *
 * Decisions are pure functions of (study, trial): no pruner keeps state between calls, so the
 * service can serialise concurrent reports of one study and get the answers one serial order would
 * give, on any server replica. The service decides a batch of reports step by step (see
 * `decideReports`), so that a pruner that judges a trial when it crosses a step (ASHA's rungs,
 * `interval_steps`) sees every crossing.
 */
export interface Pruner {
  /** False when the decision needs only this trial's own reports (NONE, THRESHOLD). */
  readonly needsHistory: boolean;
  prune(study: StudyView, trial: TrialView): PruneDecision;
  /**
   * The trials the sampler may learn from when it samples trial `trialNumber`. Hyperband answers
   * with the trials of that trial's bracket only, as Optuna's samplers see a bracket study. The
   * service calls it, when present, to filter `study.trials` before sampling; absent means all.
   */
  samplerTrials?(study: StudyView, trialNumber: number): TrialView[];
  /**
   * The steps at which this pruner compares trials (ascending), for trial `trialNumber` (its
   * bracket, for Hyperband); empty while they are not known yet (`minResource: "auto"` before a
   * trial completes). Multi-fidelity sampling (see multiFidelity/) trains on one of these rungs.
   */
  rungSteps?(study: StudyView, trialNumber: number): number[];
  /**
   * How this pruner values a trial at a rung: its report there ("last") or the best it reported
   * up to there ("best"). The multi-fidelity view values trials at its rung the same way.
   */
  readonly rungValue?: "last" | "best";
}

/** How a study configures its pruner (PrunerInput in the contract). */
export interface PrunerConfig {
  type: string;
  options: Record<string, JsonValue>;
}

export const KEEP: PruneDecision = { shouldPrune: false, reason: null };

/** A prune decision with its reason. */
export function prune(reason: string): PruneDecision {
  return { shouldPrune: true, reason };
}
