import type { IntermediateValue, StudyView, TrialView } from "../types";
import { KEEP, type PruneDecision, type Pruner } from "./pruner";

/**
 * Decides a batch of new reports the way a trial reporting them one by one would be decided:
 * `trial.intermediateValues` holds every report including the new ones (sorted by step), and
 * `newSteps` says which steps arrived in this batch. The pruner is asked once per new step, with
 * the trial's reports up to that step, and the first prune wins. The service uses this for
 * reportMetrics so that a batch never lets a trial skip a rung or an interval checkpoint.
 */
export function decideReports(pruner: Pruner, study: StudyView, trial: TrialView, newSteps: Iterable<number>): PruneDecision {
  const steps = [...new Set(newSteps)].sort((a, b) => a - b);
  const reports = trial.intermediateValues;
  if (steps.length === 0 || reports.length === 0) return KEEP;
  // One step (the common case) needs no copy.
  if (steps.length === 1 && steps[0] === reports[reports.length - 1].step) return pruner.prune(study, trial);
  let end = 0;
  for (const step of steps) {
    while (end < reports.length && reports[end].step <= step) end++;
    if (end === 0 || reports[end - 1].step !== step) continue;
    const prefix: IntermediateValue[] = reports.slice(0, end);
    const vectors = trial.intermediateVectors?.filter((v) => v.step <= step);
    const decision = pruner.prune(study, { ...trial, intermediateValues: prefix, ...(vectors ? { intermediateVectors: vectors } : {}) });
    if (decision.shouldPrune) return decision;
  }
  return KEEP;
}
