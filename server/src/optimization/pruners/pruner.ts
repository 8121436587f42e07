import type { JsonValue, StudyView, TrialView } from "../types";

export interface PruneDecision {
  shouldPrune: boolean;
  /** Why the trial was pruned, in words a person reads on the dashboard; null when kept. */
  reason: string | null;
}

/**
 * One method, as in Optuna: given the study's other trials and this trial's reports so far
 * (`trial.intermediateValues`, sorted by step), prune or not.
 */
export interface Pruner {
  /** False when the decision needs only this trial's own reports (NONE, THRESHOLD). */
  readonly needsHistory: boolean;
  prune(study: StudyView, trial: TrialView): PruneDecision;
}

/** How a study configures its pruner (PrunerInput in the contract). */
export interface PrunerConfig {
  type: string;
  options: Record<string, JsonValue>;
}

export const KEEP: PruneDecision = { shouldPrune: false, reason: null };
