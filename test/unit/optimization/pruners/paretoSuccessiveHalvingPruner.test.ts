import { describe, expect, it } from "vitest";
import { Rng, createPruner, type Direction, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";
import { nonDominatedRanks2d, nonDominatedRanksDeb } from "../../../../server/src/optimization/pruners/paretoSuccessiveHalvingPruner";

/** A two-objective trial whose vector at steps 1.. is vectors[step - 1]. */
function trial(number: number, state: TrialState, vectors: number[][]): TrialView {
  return {
    number,
    state,
    params: {},
    distributions: {},
    values: state === "RUNNING" ? null : vectors[vectors.length - 1],
    intermediateValues: vectors.map((v, i) => ({ step: i + 1, value: v[0] })),
    intermediateVectors: vectors.map((values, i) => ({ step: i + 1, values })),
  };
}
const study = (trials: TrialView[], directions: Direction[] = ["MINIMIZE", "MINIMIZE"]): StudyView => ({ directions, searchSpace: [], trials });

describe("PARETO_SUCCESSIVE_HALVING", () => {
  const pruner = createPruner({ type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } });
  // Twelve trials at rung 0 (step 1): a front of four on x + y = 1, and eight dominated points.
  const front = [[0, 1], [0.3, 0.7], [0.7, 0.3], [1, 0]];
  const behind = [[0.5, 1], [1, 0.5], [0.6, 0.6], [0.8, 0.8], [1, 1], [1.2, 1.2], [2, 2], [3, 3]];
  const history = [...front, ...behind].map((v, i) => trial(i, "COMPLETE", [v, v]));

  it("never prunes a point of the rung's Pareto front, even beyond the top 1/eta", () => {
    // n = 13, top floor(13/3) = 4 would be the four front points; a fifth front point still goes on.
    expect(pruner.prune(study(history), trial(20, "RUNNING", [[0.5, 0.5]])).shouldPrune).toBe(false);
    expect(pruner.prune(study(history), trial(20, "RUNNING", [[-1, 5]])).shouldPrune).toBe(false);
  });

  it("prunes a dominated point outside the top fraction and says which trial dominates it", () => {
    const d = pruner.prune(study(history), trial(20, "RUNNING", [[1.5, 1.5]]));
    expect(d.shouldPrune).toBe(true);
    expect(d.reason).toMatch(/values \(1\.5, 1\.5\) at step 1 are dominated by trial \d+'s \(.*\).* at rung 0 \(step 1\).*the top 4/);
  });

  it("ranks by fronts: a point dominated by one trial can still have too many ahead of it", () => {
    // (0.5, 0.5) is dominated only by (0.2, 0.2), but the whole front of three is ahead; top 2 go on.
    const eta2 = createPruner({ type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 2 } });
    const few = [[0, 1], [1, 0], [0.2, 0.2]].map((v, i) => trial(i, "COMPLETE", [v]));
    const d = eta2.prune(study(few), trial(9, "RUNNING", [[0.5, 0.5]]));
    expect(d.shouldPrune).toBe(true);
    expect(d.reason).toMatch(/on front 2 with 3 of 4 trials ahead; the top 2 go on/);
    // Without (0.2, 0.2) it is on the front and kept.
    expect(eta2.prune(study(few.slice(0, 2)), trial(9, "RUNNING", [[0.5, 0.5]])).shouldPrune).toBe(false);
  });

  it("keeps a dominated point that ranks within the top fraction", () => {
    // Four competitors: (0.5, 0.5) is second, behind (0, 0). With eta 3 only the best goes on;
    // with eta 2 the top two do.
    const few = [[0, 0], [1, 1], [2, 2]].map((v, i) => trial(i, "COMPLETE", [v]));
    expect(pruner.prune(study(few), trial(9, "RUNNING", [[0.5, 0.5]])).shouldPrune).toBe(true);
    const eta2 = createPruner({ type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 2 } });
    expect(eta2.prune(study(few), trial(9, "RUNNING", [[0.5, 0.5]])).shouldPrune).toBe(false);
  });

  it("tolerates dominance within epsilon of each objective's spread", () => {
    const tolerant = createPruner({ type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3, epsilon: 0.1 } });
    // The spread is 3 in each objective, so epsilon 0.1 tolerates 0.3: (0.4, 0.9) is dominated by
    // (0.3, 0.7), but only by 0.1 and 0.2.
    expect(pruner.prune(study(history), trial(20, "RUNNING", [[0.4, 0.9]])).shouldPrune).toBe(true);
    expect(tolerant.prune(study(history), trial(20, "RUNNING", [[0.4, 0.9]])).shouldPrune).toBe(false);
    expect(tolerant.prune(study(history), trial(20, "RUNNING", [[1.5, 1.5]])).shouldPrune).toBe(true);
  });

  it("follows each objective's direction", () => {
    const flipped = history.map((t) => trial(t.number, "COMPLETE", t.intermediateVectors!.map((v) => [v.values[0], -v.values[1]])));
    const s = study(flipped, ["MINIMIZE", "MAXIMIZE"]);
    expect(pruner.prune(s, trial(20, "RUNNING", [[1.5, -1.5]])).shouldPrune).toBe(true);
    expect(pruner.prune(s, trial(20, "RUNNING", [[0.5, -0.5]])).shouldPrune).toBe(false);
    // Read the wrong way, the worst point would be on the front.
    expect(pruner.prune(study(history, ["MINIMIZE", "MAXIMIZE"]), trial(20, "RUNNING", [[0.1, 3]])).shouldPrune).toBe(false);
  });

  it("judges only at rungs, and prunes NaN", () => {
    const p = createPruner({ type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 2, reductionFactor: 3 } });
    const h = [...front, ...behind].map((v, i) => trial(i, "COMPLETE", [v, v, v, v, v, v, v]));
    expect(p.prune(study(h), trial(20, "RUNNING", [[9, 9]])).shouldPrune).toBe(false); // step 1
    expect(p.prune(study(h), trial(20, "RUNNING", [[9, 9], [9, 9]])).shouldPrune).toBe(true); // step 2
    expect(p.prune(study(h), trial(20, "RUNNING", [[0, 0], [0, 0], [9, 9]])).shouldPrune).toBe(false); // step 3
    expect(p.prune(study(h), trial(20, "RUNNING", [[0, 0], [NaN, 0]])).shouldPrune).toBe(true);
  });

  it("with one objective, decides as SUCCESSIVE_HALVING does", () => {
    const asha = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } });
    const rng = new Rng(7);
    let disagreements = 0;
    let prunes = 0;
    for (let rep = 0; rep < 200; rep++) {
      const trials: TrialView[] = [];
      const n = rng.int(0, 30);
      for (let i = 0; i < n; i++) {
        const len = rng.int(1, 12);
        const curve = Array.from({ length: len }, () => rng.random());
        trials.push({ number: i, state: "PRUNED", params: {}, distributions: {}, values: [curve[len - 1]], intermediateValues: curve.map((value, s) => ({ step: s + 1, value })) });
      }
      const len = rng.int(1, 12);
      const mine: TrialView = { number: n, state: "RUNNING", params: {}, distributions: {}, values: null, intermediateValues: Array.from({ length: len }, (_, s) => ({ step: s + 1, value: rng.random() })) };
      const s: StudyView = { directions: ["MINIMIZE"], searchSpace: [], trials };
      const a = asha.prune(s, mine).shouldPrune;
      if (a) prunes++;
      if (a !== pruner.prune(s, mine).shouldPrune) disagreements++;
    }
    expect(prunes).toBeGreaterThan(20);
    expect(disagreements).toBe(0);
  });

  it("sorts two objectives in O(n log n) with the same fronts as Deb's sort, ties and infinities included", () => {
    const rng = new Rng(11);
    for (let rep = 0; rep < 200; rep++) {
      const n = rng.int(1, 40);
      // Coarse grid values make ties and duplicates common.
      const pts = Array.from({ length: n }, () => [rng.int(0, 6), rng.random() < 0.05 ? Infinity : rng.int(0, 6)]);
      expect(Array.from(nonDominatedRanks2d(pts))).toEqual(Array.from(nonDominatedRanksDeb(pts)));
    }
  });
});
