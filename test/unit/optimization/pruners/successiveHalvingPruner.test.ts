import { describe, expect, it } from "vitest";
import { createPruner, type Direction, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";

/** A trial whose report at step s (1-based) is curve[s - 1]. */
function trial(number: number, state: TrialState, curve: number[]): TrialView {
  const intermediateValues = curve.map((value, i) => ({ step: i + 1, value }));
  const last = curve[curve.length - 1];
  return { number, state, params: {}, distributions: {}, values: state === "RUNNING" ? null : [last], intermediateValues };
}
const flat = (v: number, steps: number) => Array(steps).fill(v);
const study = (trials: TrialView[], direction: Direction = "MINIMIZE"): StudyView => ({ directions: [direction], searchSpace: [], trials });

describe("SUCCESSIVE_HALVING (ASHA)", () => {
  const asha = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 2 } });

  it("promotes the top floor(n / eta) at a rung and prunes the rest", () => {
    // Eight trials reached rung 2 (step 4) with values 1..8; a ninth arrives: top floor(9/2) = 4 go on.
    const others = [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => trial(i, "COMPLETE", flat(v, 8)));
    const arrive = (v: number) => asha.prune(study(others), trial(20, "RUNNING", [0, 0, 0, v]));
    expect(arrive(3.5).shouldPrune).toBe(false); // 3 better
    expect(arrive(4).shouldPrune).toBe(false); // ties do not count as better
    const d = arrive(4.5);
    expect(d.shouldPrune).toBe(true);
    expect(d.reason).toMatch(/value 4\.5 at step 4 is not among the top 4 of 9 trials at rung 2 \(step 4\): 4 are better/);
  });

  it("promotes the first trial at a rung and only the best while fewer than eta have arrived", () => {
    expect(asha.prune(study([]), trial(0, "RUNNING", [100])).shouldPrune).toBe(false);
    const one = [trial(0, "RUNNING", [1])];
    expect(asha.prune(study(one), trial(1, "RUNNING", [0.5])).shouldPrune).toBe(false);
    expect(asha.prune(study(one), trial(1, "RUNNING", [2])).reason).toMatch(/not among the best of 2 trials at rung 0/);
  });

  it("judges a trial once per rung, by the report that crosses it", () => {
    const others = [1, 2, 3, 4].map((v, i) => trial(i, "COMPLETE", flat(v, 8)));
    // Worst at step 3 (no rung: rungs are 1, 2, 4, 8): kept there.
    expect(asha.prune(study(others), trial(9, "RUNNING", [0, 0, 99])).shouldPrune).toBe(false);
    // Reports at steps 1 and 5 only: step 5 crosses rungs 2 and 4 at once, and is judged at both.
    const sparse: TrialView = { ...trial(9, "RUNNING", []), intermediateValues: [{ step: 1, value: 0 }, { step: 5, value: 99 }] };
    expect(asha.prune(study(others), sparse).reason).toMatch(/rung 1 \(step 2\)/);
  });

  it("counts PRUNED trials at the rungs they reached, and only there", () => {
    const pruned = [1, 2, 3].map((v, i) => trial(i, "PRUNED", flat(v, 2))); // stopped after rung 1 (step 2)
    // At rung 1 (step 2) the three pruned trials compete: 4 competitors, top 2.
    expect(asha.prune(study(pruned), trial(9, "RUNNING", [0, 2.5])).shouldPrune).toBe(true);
    expect(asha.prune(study(pruned), trial(9, "RUNNING", [0, 1.5])).shouldPrune).toBe(false);
    // At rung 2 (step 4) nobody else is there: promoted whatever its value.
    expect(asha.prune(study(pruned), trial(9, "RUNNING", [0, 1.5, 9, 9])).shouldPrune).toBe(false);
  });

  it("flips for maximize", () => {
    const others = [1, 2, 3].map((v, i) => trial(i, "COMPLETE", flat(v, 4)));
    expect(asha.prune(study(others, "MAXIMIZE"), trial(9, "RUNNING", [2.5])).shouldPrune).toBe(false);
    expect(asha.prune(study(others, "MAXIMIZE"), trial(9, "RUNNING", [1.5])).shouldPrune).toBe(true);
  });

  it("starts at minResource * eta^minEarlyStoppingRate", () => {
    const p = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1 } });
    const others = [1, 2, 3].map((v, i) => trial(i, "COMPLETE", flat(v, 20)));
    // Rungs at 6, 18: worst at step 5 kept, at step 6 pruned.
    expect(p.prune(study(others), trial(9, "RUNNING", flat(9, 5))).shouldPrune).toBe(false);
    expect(p.prune(study(others), trial(9, "RUNNING", flat(9, 6))).reason).toMatch(/rung 0 \(step 6\)/);
    expect(p.rungSteps!(study(others), 9)).toEqual([6, 18]);
  });

  it("with minResource auto, waits for a completed trial and uses its length / 100", () => {
    const p = createPruner({ type: "SUCCESSIVE_HALVING", options: {} });
    const runningOnly = [trial(0, "RUNNING", flat(1, 300))];
    expect(p.prune(study(runningOnly), trial(9, "RUNNING", [99])).shouldPrune).toBe(false);
    expect(p.rungSteps!(study(runningOnly), 9)).toEqual([]);
    const done = [trial(0, "COMPLETE", flat(1, 300))];
    // minResource = 3, eta 4: rungs 3, 12, 48, 192.
    expect(p.prune(study(done), trial(9, "RUNNING", [99, 99])).shouldPrune).toBe(false);
    expect(p.prune(study(done), trial(9, "RUNNING", [99, 99, 99])).reason).toMatch(/rung 0 \(step 3\)/);
    expect(p.rungSteps!(study(done), 9)).toEqual([3, 12, 48, 192]);
  });

  it("prunes the first bootstrapCount trials to reach a rung, then promotes normally", () => {
    const p = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 2, bootstrapCount: 2 } });
    expect(p.prune(study([]), trial(0, "RUNNING", [1])).reason).toMatch(/bootstrap/);
    expect(p.prune(study([trial(0, "PRUNED", [1])]), trial(1, "RUNNING", [0])).shouldPrune).toBe(true);
    expect(p.prune(study([trial(0, "PRUNED", [1]), trial(1, "PRUNED", [2])]), trial(2, "RUNNING", [0])).shouldPrune).toBe(false);
  });

  it("prunes NaN at a rung, and NaN competitors never count as better", () => {
    expect(asha.prune(study([]), trial(9, "RUNNING", [NaN])).shouldPrune).toBe(true);
    const nan = [0, 1, 2].map((i) => trial(i, "PRUNED", [NaN]));
    expect(asha.prune(study(nan), trial(9, "RUNNING", [1e9])).shouldPrune).toBe(false);
  });

  it("with rungValue best, compares the best value each trial had reported by the rung", () => {
    const best = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 4, reductionFactor: 2, rungValue: "best" } });
    const last = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 4, reductionFactor: 2 } });
    // Competitors: noisy curves whose best values by step 4 are 1, 2, 3 (their step-4 reports are 5).
    const others = [1, 2, 3].map((v, i) => trial(i, "COMPLETE", [9, v, 9, 5, 5, 5]));
    const mine = trial(9, "RUNNING", [9, 1.5, 9, 6]);
    // Its report at step 4 (6) is the worst there, but its best by then (1.5) is second of four.
    expect(last.prune(study(others), mine).shouldPrune).toBe(true);
    expect(best.prune(study(others), mine).shouldPrune).toBe(false);
    const worse = best.prune(study(others), trial(9, "RUNNING", [9, 2.5, 9, 6]));
    expect(worse.reason).toMatch(/best value 2\.5 up to step 4 is not among the top 2 of 4 trials at rung 0 \(step 4\): 2 are better/);
  });
});
