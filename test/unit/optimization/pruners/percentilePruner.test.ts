import { describe, expect, it } from "vitest";
import { createPruner, type Direction, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";

function trial(number: number, state: TrialState, curve: number[], firstStep = 0): TrialView {
  const intermediateValues = curve.map((value, i) => ({ step: firstStep + i, value }));
  const last = curve.length ? curve[curve.length - 1] : null;
  return { number, state, params: {}, distributions: {}, values: last === null || state === "RUNNING" ? null : [last], intermediateValues };
}

function study(trials: TrialView[], direction: Direction = "MINIMIZE"): StudyView {
  return { directions: [direction], searchSpace: [], trials };
}

/** Five completed trials whose values at every step are 1..5 (median 3). */
function history(direction: Direction = "MINIMIZE", state: TrialState = "COMPLETE"): TrialView[] {
  return [1, 2, 3, 4, 5].map((v, i) => trial(i, state, Array(10).fill(v)));
}

describe("MEDIAN / PERCENTILE", () => {
  const median = createPruner({ type: "MEDIAN", options: {} });

  it("prunes a clearly worse curve and keeps a good one (minimize)", () => {
    const s = study(history());
    const bad = median.prune(s, trial(9, "RUNNING", [9, 8, 7.5]));
    expect(bad.shouldPrune).toBe(true);
    expect(bad.reason).toMatch(/7\.5 up to step 2 is worse than the median 3 of 5 completed trials/);
    expect(median.prune(s, trial(9, "RUNNING", [2.5, 2, 1.5])).shouldPrune).toBe(false);
  });

  it("judges the best value so far, not the latest one", () => {
    // The curve went below the median once: Optuna keeps it.
    expect(median.prune(study(history()), trial(9, "RUNNING", [2, 8, 9])).shouldPrune).toBe(false);
  });

  it("flips for maximize", () => {
    const s = study(history(), "MAXIMIZE");
    expect(median.prune(s, trial(9, "RUNNING", [1, 1.5])).shouldPrune).toBe(true);
    expect(median.prune(s, trial(9, "RUNNING", [4, 4.5])).shouldPrune).toBe(false);
  });

  it("uses the percentile: PERCENTILE 25 keeps only the best quarter (both directions)", () => {
    const p25 = createPruner({ type: "PERCENTILE", options: { percentile: 25 } });
    // 25th percentile of 1..5 is 2 (minimize); for maximize the 75th, 4.
    expect(p25.prune(study(history()), trial(9, "RUNNING", [2.5])).shouldPrune).toBe(true);
    expect(p25.prune(study(history()), trial(9, "RUNNING", [1.9])).shouldPrune).toBe(false);
    expect(p25.prune(study(history(), "MAXIMIZE"), trial(9, "RUNNING", [3.9])).shouldPrune).toBe(true);
    expect(p25.prune(study(history(), "MAXIMIZE"), trial(9, "RUNNING", [4.1])).shouldPrune).toBe(false);
  });

  it("respects n_startup_trials, counting COMPLETE trials only", () => {
    const bad = trial(9, "RUNNING", [100]);
    const four = history().slice(0, 4);
    expect(median.prune(study(four), bad).shouldPrune).toBe(false);
    // PRUNED and RUNNING trials are neither a reference nor counted for startup.
    expect(median.prune(study([...four, trial(5, "PRUNED", [0, 0]), trial(6, "RUNNING", [0])]), bad).shouldPrune).toBe(false);
    expect(median.prune(study(history()), bad).shouldPrune).toBe(true);
    const eager = createPruner({ type: "MEDIAN", options: { n_startup_trials: 1 } });
    expect(eager.prune(study(four.slice(0, 1)), bad).shouldPrune).toBe(true);
  });

  it("respects n_warmup_steps", () => {
    const p = createPruner({ type: "MEDIAN", options: { nWarmupSteps: 3 } });
    const s = study(history());
    expect(p.prune(s, trial(9, "RUNNING", [9, 9, 9])).shouldPrune).toBe(false); // steps 0..2
    expect(p.prune(s, trial(9, "RUNNING", [9, 9, 9, 9])).shouldPrune).toBe(true); // step 3
  });

  it("judges only at interval checkpoints, and a late report at the first one after", () => {
    const p = createPruner({ type: "MEDIAN", options: { n_warmup_steps: 2, interval_steps: 3 } });
    const s = study(history());
    const at = (n: number) => p.prune(s, trial(9, "RUNNING", Array(n).fill(9))).shouldPrune;
    // Checkpoints at steps 2, 5, 8: curves whose last step is 2, 5 or 8.
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((last) => at(last + 1))).toEqual([false, true, false, false, true, false, false, true, false]);
    // Reports at steps 0, 1, 4, 7: step 4 is the first after checkpoint 2, step 7 the first after 5.
    const sparse = (steps: number[]) => ({ ...trial(9, "RUNNING", []), intermediateValues: steps.map((step) => ({ step, value: 9 })) });
    expect(p.prune(s, sparse([0, 1, 4])).shouldPrune).toBe(true);
    expect(p.prune(s, sparse([0, 1, 4, 7])).shouldPrune).toBe(true);
    expect(p.prune(s, sparse([0, 1, 3, 4])).shouldPrune).toBe(false);
  });

  it("respects n_min_trials at the step and ignores steps nobody else reported", () => {
    const p = createPruner({ type: "MEDIAN", options: { nMinTrials: 6 } });
    expect(p.prune(study(history()), trial(9, "RUNNING", [100])).shouldPrune).toBe(false);
    // Step 50: no completed trial reported it.
    expect(median.prune(study(history()), trial(9, "RUNNING", [100], 50)).shouldPrune).toBe(false);
  });

  it("prunes a trial whose every report is NaN", () => {
    expect(median.prune(study(history()), trial(9, "RUNNING", [NaN, NaN])).shouldPrune).toBe(true);
    expect(median.prune(study(history()), trial(9, "RUNNING", [NaN, 1])).shouldPrune).toBe(false);
  });

  it("keeps a trial without reports and a study without completed trials", () => {
    expect(median.prune(study(history()), trial(9, "RUNNING", [])).shouldPrune).toBe(false);
    expect(median.prune(study(history("MINIMIZE", "PRUNED")), trial(9, "RUNNING", [100])).shouldPrune).toBe(false);
  });
});
