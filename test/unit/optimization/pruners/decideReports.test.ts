import { describe, expect, it } from "vitest";
import { createPruner, type StudyView, type TrialView } from "../../../../server/src/optimization";
import { decideReports } from "../../../../server/src/optimization/pruners/decideReports";

const curve = (number: number, state: "COMPLETE" | "RUNNING", values: number[]): TrialView => ({
  number,
  state,
  params: {},
  distributions: {},
  values: state === "COMPLETE" ? [values[values.length - 1]] : null,
  intermediateValues: values.map((value, i) => ({ step: i + 1, value })),
});

describe("decideReports", () => {
  const asha = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 2 } });
  const others = [1, 2, 3].map((v, i) => curve(i, "COMPLETE", Array(8).fill(v)));
  const s: StudyView = { directions: ["MINIMIZE"], searchSpace: [], trials: others };

  it("decides a batch as its reports one by one: a rung crossed inside the batch is judged", () => {
    // Steps 1..3 in one batch, bad at step 2 (a rung), good at step 3 (not a rung).
    const t = curve(9, "RUNNING", [0, 9, 0]);
    expect(asha.prune(s, t).shouldPrune).toBe(false); // asked only about the last step, it misses rung 2
    const d = decideReports(asha, s, t, [1, 2, 3]);
    expect(d.shouldPrune).toBe(true);
    expect(d.reason).toMatch(/step 2/);
    // Only the new steps are decided: rung 2 was decided in an earlier batch.
    expect(decideReports(asha, s, t, [3]).shouldPrune).toBe(false);
  });

  it("agrees with a single call for a single report", () => {
    const t = curve(9, "RUNNING", [0, 0, 0, 9]);
    expect(decideReports(asha, s, t, [4])).toEqual(asha.prune(s, t));
    expect(decideReports(asha, s, t, []).shouldPrune).toBe(false);
  });
});
