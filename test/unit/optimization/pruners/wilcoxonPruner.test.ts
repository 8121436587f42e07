import { describe, expect, it } from "vitest";
import { Rng, createPruner, type Direction, type StudyView, type TrialView } from "../../../../server/src/optimization";
import { signedRankPValue } from "../../../../server/src/optimization/pruners/signedRankTest";

function withScores(number: number, scores: number[], state: "COMPLETE" | "RUNNING"): TrialView {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return {
    number,
    state,
    params: {},
    distributions: {},
    values: state === "COMPLETE" ? [mean] : null,
    intermediateValues: scores.map((value, step) => ({ step, value })),
  };
}
const study = (trials: TrialView[], direction: Direction = "MINIMIZE"): StudyView => ({ directions: [direction], searchSpace: [], trials });

describe("Wilcoxon signed-rank test", () => {
  it("gives the exact tail probability for small samples", () => {
    // |d| ranks 1..7, only rank 2 negative: T+ = 26, P(T+ >= 26) = 3 / 128.
    const d = [0.5, 1.2, -0.3, 0.8, 2.0, 0.1, 0.9];
    expect(signedRankPValue(d, "greater")).toBeCloseTo(3 / 128, 12);
    // P(T+ <= 26) = 1 - P(T+ >= 27) = 1 - 2 / 128.
    expect(signedRankPValue(d, "less")).toBeCloseTo(126 / 128, 12);
    expect(signedRankPValue([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "greater")).toBeCloseTo(1 / 1024, 12);
  });

  it("falls back to the normal approximation with ties and zeros, and is symmetric", () => {
    const d = [0.5, 1, -0.5, 1, 0, 2, 0.5, 1.5, -1, 0, 3, 0.5];
    const g = signedRankPValue(d, "greater");
    const l = signedRankPValue(d, "less");
    expect(g).toBeGreaterThan(0);
    expect(g).toBeLessThan(0.05);
    expect(g + l).toBeCloseTo(1, 6);
    // All zeros: no evidence either way.
    expect(signedRankPValue([0, 0, 0, 0], "greater")).toBeCloseTo(0.5, 6);
    // 60 pairs, all positive: far in the tail.
    expect(signedRankPValue(Array.from({ length: 60 }, (_, i) => i + 1), "greater")).toBeLessThan(1e-9);
  });
});

describe("WILCOXON", () => {
  const pruner = createPruner({ type: "WILCOXON", options: { pThreshold: 0.1 } });
  const nInstances = 30;

  /** Runs a trial instance by instance against a best trial; returns the step it was pruned at, or -1. */
  function run(seed: number, shift: number, direction: Direction = "MINIMIZE"): number {
    const rng = new Rng(seed);
    const difficulty = Array.from({ length: nInstances }, () => rng.random());
    const best = withScores(0, difficulty.map((d) => d + 0.05 * rng.normal()), "COMPLETE");
    const sign = direction === "MINIMIZE" ? 1 : -1;
    const scores = difficulty.map((d) => d + sign * shift + 0.1 * rng.normal());
    for (let n = 1; n <= nInstances; n++) {
      const d = pruner.prune(study([best], direction), withScores(1, scores.slice(0, n), "RUNNING"));
      if (d.shouldPrune) {
        expect(d.reason).toMatch(/worse than best trial 0 on \d+ shared instances \(Wilcoxon signed-rank p = /);
        return n;
      }
    }
    return -1;
  }

  it("prunes clearly worse trials early and keeps better ones (both directions)", () => {
    for (const direction of ["MINIMIZE", "MAXIMIZE"] as const) {
      const worse = Array.from({ length: 20 }, (_, s) => run(s, 0.3, direction));
      expect(worse.every((n) => n > 0 && n <= 8)).toBe(true);
      const better = Array.from({ length: 20 }, (_, s) => run(100 + s, -0.1, direction));
      expect(better.every((n) => n === -1)).toBe(true);
    }
  });

  it("rarely prunes a trial as good as the best one", () => {
    const pruned = Array.from({ length: 100 }, (_, s) => run(1000 + s, 0)).filter((n) => n > 0).length;
    expect(pruned).toBeLessThan(40);
  });

  it("waits for n_startup_steps shared instances and keeps on NaN or without a best trial", () => {
    const best = withScores(0, [0, 0, 0, 0, 0, 0, 0, 0], "COMPLETE");
    const bad = (n: number) => withScores(1, Array(n).fill(1), "RUNNING");
    const p = createPruner({ type: "WILCOXON", options: { n_startup_steps: 6, p_threshold: 0.05 } });
    expect(p.prune(study([best]), bad(5)).shouldPrune).toBe(false);
    expect(p.prune(study([best]), bad(6)).shouldPrune).toBe(true);
    expect(p.prune(study([]), bad(8)).shouldPrune).toBe(false);
    expect(p.prune(study([best]), withScores(1, [1, 1, 1, NaN, 1, 1, 1], "RUNNING")).shouldPrune).toBe(false);
  });
});
