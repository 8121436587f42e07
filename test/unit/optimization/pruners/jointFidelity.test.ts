import { describe, expect, it } from "vitest";
import { createPruner, type ParamSpec, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";
import { fidelityCoordinate, fidelityObservations } from "../../../../server/src/optimization/multiFidelity/fidelityObservations";
import { samplerView } from "../../../../server/src/optimization/multiFidelity/samplerView";
import { GpSampler } from "../../../../server/src/optimization/samplers/gpSampler";
import { jointModelData } from "../../../../server/src/optimization/samplers/gp/jointFidelity";
import { SearchSpaceEncoding } from "../../../../server/src/optimization/samplers/gp/searchSpaceEncoding";
import { createStudySampler } from "../../../../server/src/optimization/studySampler";

const space: ParamSpec[] = [{ name: "x", type: "FLOAT", low: 0, high: 1, log: false, step: null }];

/** A trial at x whose reports at steps 1..steps follow f(x, step); COMPLETE trials get `value` (default: the last report). */
function trial(number: number, state: TrialState, x: number, steps: number, f: (x: number, step: number) => number, value?: number): TrialView {
  const intermediateValues = Array.from({ length: steps }, (_, i) => ({ step: i + 1, value: f(x, i + 1) }));
  const last = intermediateValues.at(-1)?.value;
  const values = state === "COMPLETE" ? [value ?? last!] : state === "PRUNED" && last !== undefined ? [last] : null;
  return { number, state, params: { x }, distributions: {}, values, intermediateValues };
}
const study = (trials: TrialView[]): StudyView => ({ directions: ["MINIMIZE"], searchSpace: space, trials });

describe("observations across budgets (joint multi-fidelity model)", () => {
  const decreasing = (x: number, step: number) => x + 10 / step;

  it("keeps every rung a trial reached, running ones included, and a COMPLETE trial's value at its last step", () => {
    const trials = [
      trial(0, "COMPLETE", 0.5, 9, decreasing, 0.42),
      trial(1, "PRUNED", 0.3, 3, decreasing),
      trial(2, "PRUNED", 0.2, 1, decreasing),
      trial(3, "RUNNING", 0.1, 5, decreasing),
      trial(4, "FAIL", 0.1, 9, decreasing),
    ];
    const data = fidelityObservations(study(trials), { rungSteps: [1, 3, 9], rungValue: "last", minObservations: 2 })!;
    const seen = data.observations.map((o) => [o.trial.number, o.step, o.value]);
    // Trial 0 is observed at rungs 1 and 3 and, at its last step 9, with its value (not its last report).
    expect(seen).toEqual([
      [0, 1, 0.5 + 10],
      [0, 3, 0.5 + 10 / 3],
      [0, 9, 0.42],
      [1, 1, 0.3 + 10],
      [1, 3, 0.3 + 10 / 3],
      [2, 1, 0.2 + 10],
      // A running trial's value at a rung it has passed is as final as a pruned one's.
      [3, 1, 0.1 + 10],
      [3, 3, 0.1 + 10 / 3],
    ]);
    expect(data.trials).toBe(4);
    expect(data.maxStep).toBe(9);
    // Step 3 is the largest budget with 2 observations (it has 3); with 4 required, only the smallest qualifies.
    expect(data.targetStep).toBe(3);
    expect(fidelityObservations(study(trials), { rungSteps: [1, 3, 9], rungValue: "last", minObservations: 3 })!.targetStep).toBe(3);
    expect(fidelityObservations(study(trials), { rungSteps: [1, 3, 9], rungValue: "last", minObservations: 4 })!.targetStep).toBe(1);
    expect(fidelityObservations(study(trials.slice(4)), { rungSteps: [1, 3, 9], rungValue: "last" })).toBeNull();
  });

  it("values a trial at a rung as its pruner does", () => {
    const noisy = (_x: number, step: number) => (step === 2 ? 1 : 5);
    const t = trial(0, "PRUNED", 0, 3, noisy);
    const last = fidelityObservations(study([t]), { rungSteps: [3], rungValue: "last" })!;
    const best = fidelityObservations(study([t]), { rungSteps: [3], rungValue: "best" })!;
    expect(last.observations[0].value).toBe(5);
    expect(best.observations[0].value).toBe(1);
  });

  it("puts budgets on a log scale in [0, 1]", () => {
    expect(fidelityCoordinate(1, 27)).toBe(0);
    expect(fidelityCoordinate(3, 27)).toBeCloseTo(1 / 3, 12);
    expect(fidelityCoordinate(27, 27)).toBe(1);
    expect(fidelityCoordinate(5, 1)).toBe(1);
  });

  it("gives the GP each budget's values less the budget's mean gain, at a log-scaled budget coordinate", () => {
    // Curves x + 10/step: from step 1 to 3 every trial gains 20/3, from 3 to 9 another 20/9.
    const trials = [trial(0, "COMPLETE", 0.5, 9, decreasing), trial(1, "PRUNED", 0.3, 3, decreasing), trial(2, "PRUNED", 0.2, 1, decreasing)];
    const data = fidelityObservations(study(trials), { rungSteps: [1, 3, 9], rungValue: "last", minObservations: 1 })!;
    const model = jointModelData(data, "MINIMIZE", new SearchSpaceEncoding(space), 250);
    expect(model.target).toEqual({ coordinate: 1, observed: new Set([0, 1, 2]) });
    expect(model.rows.map((r) => [r[0], Number(r[1].toFixed(12))])).toEqual([
      [0.5, 0],
      [0.5, 0.5],
      [0.5, 1],
      [0.3, 0],
      [0.3, 0.5],
      [0.2, 0],
    ]);
    // Scores are -value; with the gains taken off, a trial scores the same at every budget.
    const expected = [-0.5, -0.5, -0.5, -0.3, -0.3, -0.2].map((v) => v - 10);
    model.ys.forEach((y, i) => expect(y).toBeCloseTo(expected[i], 12));
  });

  it("samplerView attaches the pruner's rungs with model joint and leaves the trials as they are", () => {
    const pruner = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } });
    const trials = [trial(0, "COMPLETE", 0.5, 9, decreasing), trial(1, "PRUNED", 0.3, 3, decreasing)];
    const view = samplerView(study(trials), pruner, 2, { model: "joint" });
    expect(view.trials).toBe(trials);
    expect(view.fidelity).toEqual({ rungSteps: [1, 3, 9], rungValue: "last", minObservations: undefined });
  });

  it("the GP proposes where the low budgets point when the few complete trials are elsewhere", () => {
    // Every budget has its minimum at x = 0.3. Forty trials stopped at the first rung cover the
    // range; the six that completed sit far from the minimum, at the edges. The complete trials
    // have nothing near 0.3; the joint model finds it through the low rungs.
    const f = (x: number, step: number) => (x - 0.3) ** 2 + 1 / step;
    const trials: TrialView[] = [];
    for (let i = 0; i < 40; i++) trials.push(trial(i, "PRUNED", (i + 0.5) / 40, 1, f));
    [0, 0.75, 0.8, 0.85, 0.9, 0.95].forEach((x, k) => trials.push(trial(40 + k, "COMPLETE", x, 9, f)));
    const view = samplerView(study(trials), createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } }), 46, {
      model: "joint",
      minObservations: 5,
    });
    // (The one-rung view, which leaves the GP the complete trials alone, proposes 0.27, 0.91, 0.76,
    // 0.31 and 0.14 for these seeds.)
    const proposals = [1, 2, 3, 4, 5].map((seed) => Number(new GpSampler(seed).sampleRelative({ study: view, trialNumber: 46, state: null }).params.x));
    for (const x of proposals) expect(Math.abs(x - 0.3)).toBeLessThan(0.05);
  });

  it("trials still running count at the rungs they passed, and do not push the GP off the best region", () => {
    // As above, plus three running trials next to the minimum that have passed the rungs at 1 and
    // 3: with several workers, the survivors of the rungs are the trials still running. Pending at
    // the target budget with an average value (the constant liar), they told the GP the region was
    // average, and it proposed elsewhere.
    const f = (x: number, step: number) => (x - 0.3) ** 2 + 1 / step;
    const trials: TrialView[] = [];
    for (let i = 0; i < 40; i++) trials.push(trial(i, "PRUNED", (i + 0.5) / 40, 1, f));
    [0, 0.75, 0.8, 0.85, 0.9, 0.95].forEach((x, k) => trials.push(trial(40 + k, "COMPLETE", x, 9, f)));
    [0.28, 0.3, 0.32].forEach((x, k) => trials.push(trial(46 + k, "RUNNING", x, 5, f)));
    const view = samplerView(study(trials), createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } }), 49, {
      model: "joint",
      minObservations: 5,
    });
    const proposals = [1, 2, 3, 4, 5].map((seed) => Number(new GpSampler(seed).sampleRelative({ study: view, trialNumber: 49, state: null }).params.x));
    for (const x of proposals) expect(Math.abs(x - 0.3)).toBeLessThan(0.05);
  });

  it("is a GP option: other samplers and the rung view's belowRung are refused", () => {
    expect(createStudySampler({ type: "GP", seed: 0, options: { multiFidelity: { model: "joint" } } }).multiFidelity).toEqual({ model: "joint" });
    expect(() => createStudySampler({ type: "TPE", seed: 0, options: { multiFidelity: { model: "joint" } } })).toThrow(/needs the GP sampler/);
    expect(() => createStudySampler({ type: "GP", seed: 0, options: { multiFidelity: { model: "joint", belowRung: "drop" } } })).toThrow(/model "rung" only/);
    expect(() => createStudySampler({ type: "GP", seed: 0, options: { multiFidelity: { model: "all" } } })).toThrow(/"rung" or "joint"/);
  });
});
