/**
 * Every budget a trial was evaluated at, for a model of the objective across budgets (the joint
 * multi-fidelity model, as MOBSTER: Klein et al. 2020). Where the rung view keeps one rung and
 * throws the rest away, this keeps each trial's value at every rung it reached and, for a COMPLETE
 * trial, its value at the end: the many trials that SUCCESSIVE_HALVING stops at its first rung
 * still say where the space is bad, and the few complete ones say what a rung's values mean.
 */
import type { FidelityLevels, StudyView, TrialView } from "../types";
import { bestAtRung, valueAtRung } from "../pruners/series";
import { defaultMinObservations } from "./rungView";

export interface FidelityObservation {
  trial: TrialView;
  /** The budget (step) the value was observed at. */
  step: number;
  value: number;
}

export interface FidelityData {
  observations: FidelityObservation[];
  /** Trials with at least one observation. */
  trials: number;
  /** The largest budget observed: a COMPLETE trial's last step, or the highest rung reached. */
  maxStep: number;
  /**
   * The budget new trials are chosen for: the largest with at least minObservations values, or
   * the smallest observed while none has that many.
   */
  targetStep: number;
}

/**
 * The observations of a single-objective study's trials, or null when there are none. A COMPLETE
 * trial is observed at its last step with its value (the objective, which may differ from its last
 * report) and at every rung below that step; a PRUNED or RUNNING one at every rung it has reached.
 * A running trial's rung values are final once reported, and leaving them out would hide the
 * survivors of the rungs, the best trials so far, for as long as they run.
 */
export function fidelityObservations(study: StudyView, levels: FidelityLevels): FidelityData | null {
  const direction = study.directions[0];
  const rungs = [...levels.rungSteps].sort((a, b) => a - b);
  const observations: FidelityObservation[] = [];
  let trials = 0;
  for (const t of study.trials) {
    const before = observations.length;
    if (t.state !== "COMPLETE" && t.state !== "PRUNED" && t.state !== "RUNNING") continue;
    const reports = t.intermediateValues;
    const last = reports.length ? reports[reports.length - 1].step : null;
    const complete = t.state === "COMPLETE" && t.values?.length === 1 && !Number.isNaN(t.values[0]);
    for (const rung of rungs) {
      if (last === null || rung > last || (complete && rung >= last)) break;
      const value = levels.rungValue === "best" ? bestAtRung(reports, rung, direction) : valueAtRung(reports, rung);
      if (value !== undefined && !Number.isNaN(value)) observations.push({ trial: t, step: rung, value });
    }
    if (complete && last !== null) observations.push({ trial: t, step: last, value: t.values![0] });
    if (observations.length > before) trials++;
  }
  if (observations.length === 0) return null;

  const counts = new Map<number, number>();
  for (const o of observations) counts.set(o.step, (counts.get(o.step) ?? 0) + 1);
  const steps = [...counts.keys()].sort((a, b) => a - b);
  const minObservations = levels.minObservations ?? defaultMinObservations(study);
  let targetStep = steps[0];
  for (const s of steps) if (counts.get(s)! >= minObservations) targetStep = s;
  return { observations, trials, maxStep: steps[steps.length - 1], targetStep };
}

/** The budget as a model coordinate in [0, 1]: log(step) / log(maxStep), so rungs a factor apart are equally far apart. */
export function fidelityCoordinate(step: number, maxStep: number): number {
  if (maxStep <= 1) return 1;
  return Math.min(1, Math.max(0, Math.log(Math.max(step, 1)) / Math.log(maxStep)));
}
