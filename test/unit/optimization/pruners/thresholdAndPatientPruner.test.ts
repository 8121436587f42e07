import { describe, expect, it } from "vitest";
import { createPruner, type Direction, type StudyView, type TrialView } from "../../../../server/src/optimization";

function running(curve: number[], number = 9): TrialView {
  return { number, state: "RUNNING", params: {}, distributions: {}, values: null, intermediateValues: curve.map((value, step) => ({ step, value })) };
}
function complete(number: number, value: number, steps = 10): TrialView {
  return { ...running(Array(steps).fill(value), number), state: "COMPLETE", values: [value] };
}
const study = (trials: TrialView[], direction: Direction = "MINIMIZE"): StudyView => ({ directions: [direction], searchSpace: [], trials });

describe("THRESHOLD", () => {
  it("prunes outside [lower, upper] and on NaN, with the bound in the reason", () => {
    const p = createPruner({ type: "THRESHOLD", options: { lower: 0, upper: 1 } });
    expect(p.needsHistory).toBe(false);
    expect(p.prune(study([]), running([0.5])).shouldPrune).toBe(false);
    expect(p.prune(study([]), running([0.5, 1.5])).reason).toMatch(/1\.5 at step 1 is above the upper threshold 1/);
    expect(p.prune(study([]), running([-0.1])).reason).toMatch(/below the lower threshold 0/);
    expect(p.prune(study([]), running([NaN])).shouldPrune).toBe(true);
  });

  it("judges the latest value only, after the warm-up and at interval checkpoints", () => {
    const p = createPruner({ type: "THRESHOLD", options: { upper: 1, n_warmup_steps: 2, interval_steps: 2 } });
    expect(p.prune(study([]), running([5, 5])).shouldPrune).toBe(false);
    expect(p.prune(study([]), running([5, 5, 5])).shouldPrune).toBe(true);
    expect(p.prune(study([]), running([5, 5, 5, 5])).shouldPrune).toBe(false);
    expect(p.prune(study([]), running([5, 5, 5, 5, 5])).shouldPrune).toBe(true);
    expect(p.prune(study([]), running([5, 5, 0.5])).shouldPrune).toBe(false);
  });
});

describe("PATIENT", () => {
  it("without a wrapped pruner, stops a curve that got worse for `patience` + 1 reports", () => {
    const p = createPruner({ type: "PATIENT", options: { patience: 2 } });
    expect(p.prune(study([]), running([5, 4, 3, 2])).shouldPrune).toBe(false);
    expect(p.prune(study([]), running([5, 4, 3, 3.5, 3.2])).shouldPrune).toBe(false); // best before = 4, 3 after
    expect(p.prune(study([]), running([5, 3, 3, 3, 3])).shouldPrune).toBe(false); // flat is not worse
    expect(p.prune(study([]), running([5, 3, 3.5, 3.2])).shouldPrune).toBe(false); // too few reports
    const stalled = p.prune(study([]), running([5, 3, 3.5, 3.2, 3.1]));
    expect(stalled.shouldPrune).toBe(true);
    expect(stalled.reason).toMatch(/best value 3\.1 of the last 3 reports is worse than the earlier best 3/);
  });

  it("tolerates a decline up to minDelta, in the study's direction", () => {
    const p = createPruner({ type: "PATIENT", options: { patience: 1, minDelta: 0.5 } });
    expect(p.prune(study([]), running([4, 4.3, 4.4])).shouldPrune).toBe(false);
    expect(p.prune(study([]), running([4, 4.6, 4.7])).shouldPrune).toBe(true);
    expect(p.prune(study([], "MAXIMIZE"), running([5, 4.7, 4.6])).shouldPrune).toBe(false);
    expect(p.prune(study([], "MAXIMIZE"), running([5, 4.4, 4.3])).shouldPrune).toBe(true);
  });

  it("asks the wrapped pruner only once the curve stalls", () => {
    const p = createPruner({ type: "PATIENT", options: { patience: 1, wrapped: { type: "MEDIAN", options: { nStartupTrials: 1 } } } });
    const s = study([complete(0, 1, 10)]);
    // Worse than the median but still improving: kept.
    expect(p.prune(s, running([9, 8, 7])).shouldPrune).toBe(false);
    // Stalled and worse than the median: pruned, with both reasons.
    const d = p.prune(s, running([9, 7, 7.5, 8]));
    expect(d.shouldPrune).toBe(true);
    expect(d.reason).toMatch(/is worse than the earlier best 7, and best value 7 up to step 3 is worse than the median 1/);
    // Stalled but better than the median: kept.
    expect(p.prune(s, running([0.5, 0.6, 0.7])).shouldPrune).toBe(false);
    expect(p.needsHistory).toBe(true);
  });
});
