import type { Pruner } from "../pruners/pruner";
import type { StudyView } from "../types";
import { buildRungView, type RungViewOptions } from "./rungView";

/**
 * The history a sampler should see when it samples trial `trialNumber` of a study pruned by
 * `pruner`. With `multiFidelity` options and a pruner that has rungs (SUCCESSIVE_HALVING,
 * HYPERBAND, PARETO_SUCCESSIVE_HALVING): BOHB's view of one rung over all trials (see rungView.ts),
 * or with model "joint" the study with the pruner's rungs attached (fidelityObservations.ts).
 * Otherwise the pruner's own filter when it has one (Hyperband's bracket, as in Optuna), else the
 * study as it is. The two are alternatives: the rung view already puts trials of different
 * brackets on an equal footing, so it is not restricted to a bracket (and it is the study
 * unchanged until some rung has enough observations).
 */
export function samplerView(
  study: StudyView,
  pruner: Pruner,
  trialNumber: number,
  multiFidelity: RungViewOptions | null = null,
): StudyView {
  if (multiFidelity && pruner.rungSteps && multiFidelity.model === "joint") {
    const fidelity = { rungSteps: pruner.rungSteps(study, trialNumber), rungValue: pruner.rungValue ?? "last", minObservations: multiFidelity.minObservations };
    return { ...study, fidelity };
  }
  if (multiFidelity && pruner.rungSteps) {
    return buildRungView(study, pruner.rungSteps(study, trialNumber), multiFidelity, pruner.rungValue).study;
  }
  if (pruner.samplerTrials) return { ...study, trials: pruner.samplerTrials(study, trialNumber) };
  return study;
}
