import type { ParamSpec } from "../types";
import type { ImportanceInput, ImportanceTrial, ParamImportance } from "./types";

/**
 * True when a parameter can take one value only (an INT with low = high, a stepped range shorter
 * than its step, one choice): it cannot explain anything, so it is rated 0 without a look.
 */
export function isSingleValued(spec: ParamSpec): boolean {
  if (spec.type === "CATEGORICAL") return spec.choices.length < 2;
  return spec.high <= spec.low;
}

/** True when the trial used the parameter (conditional parameters are absent from some trials). */
export function hasParam(trial: ImportanceTrial, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(trial.params, name) && trial.params[name] !== null;
}

/** The trials whose value can be rated: NaN and infinite values are left out, as Optuna does. */
export function finiteTrials(input: ImportanceInput): ImportanceTrial[] {
  return input.trials.filter((t) => Number.isFinite(t.value));
}

/**
 * Turns raw scores (one per spec, >= 0) into shares that sum to 1, sorted from the most important
 * (ties keep the declared order). When nothing scores above 0 (a constant objective, too few
 * trials) every parameter that can vary gets an equal share, as Optuna's PED-ANOVA answers.
 */
export function toShares(specs: ParamSpec[], scores: number[]): ParamImportance[] {
  const clean = scores.map((s) => (Number.isFinite(s) && s > 0 ? s : 0));
  const total = clean.reduce((a, b) => a + b, 0);
  let shares: number[];
  if (total > 0) {
    shares = clean.map((s) => s / total);
  } else {
    const varying = specs.filter((s) => !isSingleValued(s)).length;
    shares = specs.map((s) => (varying > 0 && !isSingleValued(s) ? 1 / varying : 0));
  }
  return specs
    .map((spec, i) => ({ name: spec.name, importance: shares[i], order: i }))
    .sort((a, b) => b.importance - a.importance || a.order - b.order)
    .map(({ name, importance }) => ({ name, importance }));
}
