import { describe, expect, it } from "vitest";
import { createPruner, type ParamSpec, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";
import { buildRungView, defaultMinObservations } from "../../../../server/src/optimization/multiFidelity/rungView";
import { samplerView } from "../../../../server/src/optimization/multiFidelity/samplerView";
import { bracketLayout, bracketOfNumber } from "../../../../server/src/optimization/pruners/hyperbandPruner";

const space: ParamSpec[] = [
  { name: "x", type: "FLOAT", low: 0, high: 1, log: false, step: null },
  { name: "y", type: "FLOAT", low: 0, high: 1, log: false, step: null },
];

/** A trial with reports at steps 1..steps of value base + 1/step (curves improve with budget). */
function trial(number: number, state: TrialState, base: number, steps: number): TrialView {
  const intermediateValues = Array.from({ length: steps }, (_, i) => ({ step: i + 1, value: base + 1 / (i + 1) }));
  const last = intermediateValues[steps - 1]?.value ?? null;
  return { number, state, params: { x: base, y: base }, distributions: {}, values: state === "RUNNING" || last === null ? null : [last], intermediateValues };
}
const study = (trials: TrialView[]): StudyView => ({ directions: ["MINIMIZE"], searchSpace: space, trials });

describe("BOHB rung view", () => {
  // Rungs 1, 3, 9, 27. Reached: rung 27 by 2 trials, rung 9 by 5, rung 3 by 8, rung 1 by 12.
  const trials: TrialView[] = [
    trial(0, "COMPLETE", 0.5, 27),
    trial(1, "COMPLETE", 0.4, 27),
    trial(2, "PRUNED", 0.3, 9),
    trial(3, "PRUNED", 0.2, 9),
    trial(4, "RUNNING", 0.1, 12),
    trial(5, "PRUNED", 0.6, 3),
    trial(6, "PRUNED", 0.7, 3),
    trial(7, "PRUNED", 0.8, 3),
    trial(8, "PRUNED", 0.9, 1),
    trial(9, "PRUNED", 1.0, 1),
    trial(10, "FAIL", 0.0, 20),
    trial(11, "RUNNING", 0.95, 2),
    trial(12, "PRUNED", 0.99, 1),
  ];
  const rungs = [1, 3, 9, 27];

  it("trains on the highest rung with d + 2 observations, at that rung's values", () => {
    expect(defaultMinObservations(study(trials))).toBe(4);
    const view = buildRungView(study(trials), rungs);
    expect(view.rungStep).toBe(9);
    expect(view.observations).toBe(5);
    const byNumber = new Map(view.study.trials.map((t) => [t.number, t]));
    for (const n of [0, 1, 2, 3, 4]) {
      const t = byNumber.get(n)!;
      expect(t.state).toBe("COMPLETE");
      expect(t.values).toEqual([Number(t.params.x) + 1 / 9]);
      expect(t.intermediateValues[t.intermediateValues.length - 1].step).toBe(9);
    }
    // Below the rung: finished trials stay as PRUNED, running ones as they are; failures untouched.
    expect([5, 6, 7, 8, 9, 12].map((n) => byNumber.get(n)!.state)).toEqual(Array(6).fill("PRUNED"));
    expect(byNumber.get(11)!.state).toBe("RUNNING");
    expect(byNumber.get(10)!.state).toBe("FAIL");
    // The input is not modified.
    expect(trials[0].values).toEqual([0.5 + 1 / 27]);
  });

  it("moves to lower or higher rungs with minObservations, and drops lower-rung trials on request", () => {
    expect(buildRungView(study(trials), rungs, { minObservations: 2 }).rungStep).toBe(27);
    expect(buildRungView(study(trials), rungs, { minObservations: 8 }).rungStep).toBe(3);
    expect(buildRungView(study(trials), rungs, { minObservations: 11 }).rungStep).toBe(1);
    const none = buildRungView(study(trials), rungs, { minObservations: 50 });
    expect(none.rungStep).toBeNull();
    expect(none.study.trials).toBe(trials);
    const dropped = buildRungView(study(trials), rungs, { belowRung: "drop" });
    expect(dropped.study.trials.map((t) => t.number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 10, 11]);
  });

  it("uses the objective vectors of a multi-objective study", () => {
    const mo: StudyView = {
      directions: ["MINIMIZE", "MAXIMIZE"],
      searchSpace: space,
      trials: [0, 1, 2, 3, 4].map((n) => ({
        ...trial(n, "PRUNED", n, 5),
        intermediateVectors: Array.from({ length: 5 }, (_, i) => ({ step: i + 1, values: [n + i, -n - i] })),
      })),
    };
    const view = buildRungView(mo, [1, 3, 9]);
    expect(view.rungStep).toBe(3);
    expect(view.study.trials.map((t) => t.values)).toEqual([0, 1, 2, 3, 4].map((n) => [n + 2, -n - 2]));
  });

  it("samplerView: Hyperband's bracket without multi-fidelity options, the rung view with them", () => {
    const hb = createPruner({ type: "HYPERBAND", options: { minResource: 1, maxResource: 27, reductionFactor: 3 } });
    const many = Array.from({ length: 40 }, (_, i) => trial(i, i % 5 === 0 ? "COMPLETE" : "PRUNED", i / 40, i % 5 === 0 ? 27 : 1 + (i % 3) * 4));
    const layout = bracketLayout(1, 27, 3);
    const plain = samplerView(study(many), hb, 40);
    expect(plain.trials.length).toBeLessThan(many.length);
    expect(plain.trials.every((t) => bracketOfNumber(layout, t.number) === bracketOfNumber(layout, 40))).toBe(true);
    const mf = samplerView(study(many), hb, 40, {});
    expect(mf.trials).toHaveLength(many.length);
    expect(mf.trials.filter((t) => t.state === "COMPLETE").length).toBeGreaterThanOrEqual(4);
    // A pruner without rungs or brackets leaves the study as it is.
    const median = createPruner({ type: "MEDIAN", options: {} });
    expect(samplerView(study(many), median, 40, {}).trials).toBe(many);
  });

  it("values trials at the rung as the pruner does: with rungValue best, the best report up to the rung", () => {
    // Curves that are best at step 2 and worse after (a trial whose value is its best epoch).
    const dipping = [0, 1, 2, 3, 4, 5].map((n): TrialView => {
      const intermediateValues = [1, 2, 3, 4].map((step) => ({ step, value: n + (step === 2 ? 0 : step) }));
      return { number: n, state: "PRUNED", params: { x: n / 10, y: 0 }, distributions: {}, values: [n + 4], intermediateValues };
    });
    expect(buildRungView(study(dipping), [3]).study.trials.map((t) => t.values)).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n + 3]));
    const best = buildRungView(study(dipping), [3], {}, "best");
    expect(best.study.trials.map((t) => t.values)).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n]));
    // For maximisation the best is the largest report.
    const maxView = buildRungView({ ...study(dipping), directions: ["MAXIMIZE"] }, [3], {}, "best");
    expect(maxView.study.trials.map((t) => t.values)).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n + 3]));
    // samplerView takes the pruner's rungValue.
    for (const rungValue of ["last", "best"] as const) {
      const sh = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 3, reductionFactor: 3, rungValue } });
      const values = samplerView(study(dipping), sh, 6, {}).trials.map((t) => t.values![0]);
      expect(values).toEqual([0, 1, 2, 3, 4, 5].map((n) => (rungValue === "best" ? n : n + 3)));
    }
  });
});
