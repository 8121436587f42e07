/**
 * BOHB-style training data (Falkner et al. 2018): a model-based sampler should learn from
 * evaluations at one budget, not from a mix of curves stopped at different steps. Given the rung
 * steps of the study's pruner, `buildRungView` picks the highest rung that at least
 * `minObservations` trials have reached and rewrites the history so that each of those trials is
 * a COMPLETE trial whose value is its value at that rung, as the pruner values it: its first report
 * at or after the rung's step, or with `rungValue: "best"` the best it reported up to there (for
 * trials whose value is their best epoch, as the trainers here report it, that is what ranks them
 * like their final values). TPE or GP trained on this view compares configurations at equal
 * budget; as more trials climb the rungs the view moves up to larger budgets.
 */
import type { Direction, StudyView, TrialView } from "../types";
import { bestAtRung, firstIndexAtOrAfter } from "../pruners/series";

export interface RungViewOptions {
  /**
   * Observations a rung needs before the sampler trains on it. Default: the number of declared
   * parameters + 2 (d + 2, BOHB's N_min + 1), at least 3.
   */
  minObservations?: number;
  /**
   * What becomes of trials that stopped below the chosen rung: "pruned" (the default) keeps them
   * as PRUNED trials, which samplers rank below every complete one (the pruner judged them worse);
   * "drop" removes them, as BOHB does.
   */
  belowRung?: "pruned" | "drop";
  /**
   * "rung" (the default): the sampler sees one rung, as above (BOHB). "joint": the sampler sees the
   * study as it is plus the pruner's rungs, and models the objective across budgets from every
   * rung each trial reached (MOBSTER; the GP sampler only, see fidelityObservations.ts).
   */
  model?: "rung" | "joint";
}

export interface RungView {
  /** The history to sample from: the rewritten one, or the study unchanged when no rung qualifies. */
  study: StudyView;
  /** The step of the rung used, or null when none had enough observations. */
  rungStep: number | null;
  /** Trials observed at that rung. */
  observations: number;
}

export function defaultMinObservations(study: StudyView): number {
  let d = study.searchSpace.length;
  if (d === 0) {
    const names = new Set<string>();
    for (const t of study.trials) for (const k of Object.keys(t.params)) names.add(k);
    d = names.size;
  }
  return Math.max(d + 2, 3);
}

/**
 * The view at the highest rung of `rungSteps` with enough observations. `rungValue` is the
 * pruner's (see Pruner.rungValue); "best" applies to single-objective studies.
 */
export function buildRungView(
  study: StudyView,
  rungSteps: readonly number[],
  options: RungViewOptions = {},
  rungValue: "last" | "best" = "last",
): RungView {
  const minObservations = options.minObservations ?? defaultMinObservations(study);
  const belowRung = options.belowRung ?? "pruned";
  const m = study.directions.length;
  const rungs = [...rungSteps].sort((a, b) => b - a);
  for (const rung of rungs) {
    let count = 0;
    for (const t of study.trials) if (t.state !== "FAIL" && reachedRung(t, rung, m)) count++;
    if (count < minObservations) continue;
    const trials: TrialView[] = [];
    for (const t of study.trials) {
      const atRung = t.state === "FAIL" ? null : rewriteAtRung(t, rung, m, rungValue === "best" ? study.directions[0] : null);
      if (atRung) trials.push(atRung);
      else if (t.state === "RUNNING" || t.state === "WAITING" || t.state === "FAIL") trials.push(t);
      else if (belowRung === "pruned") trials.push({ ...t, state: "PRUNED" });
    }
    return { study: { ...study, trials }, rungStep: rung, observations: count };
  }
  return { study, rungStep: null, observations: 0 };
}

function reachedRung(t: TrialView, rung: number, m: number): boolean {
  if (m > 1) {
    const v = t.intermediateVectors;
    return !!v && v.length > 0 && v[v.length - 1].step >= rung;
  }
  const r = t.intermediateValues;
  return r.length > 0 && r[r.length - 1].step >= rung;
}

/**
 * The trial as if it had been trained to the rung and stopped there, or null if it did not get
 * there. With `bestIn` (single objective), its value is its best report up to the rung.
 */
function rewriteAtRung(t: TrialView, rung: number, m: number, bestIn: Direction | null): TrialView | null {
  if (m > 1) {
    const vectors = t.intermediateVectors ?? [];
    const i = firstIndexAtOrAfter(vectors, rung);
    if (i >= vectors.length) return null;
    const values = vectors[i].values;
    if (values.length !== m) return null;
    return {
      ...t,
      state: "COMPLETE",
      values: values.slice(),
      intermediateValues: t.intermediateValues.filter((r) => r.step <= vectors[i].step),
      intermediateVectors: vectors.slice(0, i + 1),
    };
  }
  const reports = t.intermediateValues;
  const i = firstIndexAtOrAfter(reports, rung);
  if (i >= reports.length) return null;
  const value = bestIn ? bestAtRung(reports, rung, bestIn)! : reports[i].value;
  return { ...t, state: "COMPLETE", values: [value], intermediateValues: reports.slice(0, i + 1) };
}
