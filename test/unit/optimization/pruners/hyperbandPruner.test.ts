import { describe, expect, it } from "vitest";
import { createPruner, type StudyView, type TrialState, type TrialView } from "../../../../server/src/optimization";
import { HyperbandPruner, bracketLayout, bracketOfNumber } from "../../../../server/src/optimization/pruners/hyperbandPruner";
import { PrunerOptions } from "../../../../server/src/optimization/pruners/options";

function trial(number: number, state: TrialState, curve: number[]): TrialView {
  const intermediateValues = curve.map((value, i) => ({ step: i + 1, value }));
  return { number, state, params: {}, distributions: {}, values: state === "RUNNING" ? null : [curve[curve.length - 1]], intermediateValues };
}
const flat = (v: number, steps: number) => Array(steps).fill(v);
const study = (trials: TrialView[]): StudyView => ({ directions: ["MINIMIZE"], searchSpace: [], trials });
const hyperband = (options: object) => HyperbandPruner.parse(new PrunerOptions(options as never));

describe("HYPERBAND", () => {
  it("lays out brackets as Optuna does", () => {
    // min 1, max 100, eta 3: floor(log3 100) + 1 = 5 brackets, budgets ceil(5 * 3^s / (s + 1)).
    expect(bracketLayout(1, 100, 3)).toEqual({ count: 5, budgets: [81, 34, 15, 8, 5], total: 143 });
    // Exact powers are not lost to floating point: log3(81) = 4.
    expect(bracketLayout(1, 81, 3).count).toBe(5);
    expect(bracketLayout(1, 80, 3).count).toBe(4);
    expect(bracketLayout(5, 5, 2).count).toBe(1);
  });

  it("assigns brackets deterministically and in proportion to their budgets", () => {
    const layout = bracketLayout(1, 100, 3);
    const n = 50_000;
    const counts = new Array(layout.count).fill(0);
    for (let i = 0; i < n; i++) counts[bracketOfNumber(layout, i)]++;
    layout.budgets.forEach((b, k) => expect(Math.abs(counts[k] / n - b / layout.total)).toBeLessThan(0.01));
    // Same number, same bracket; and consecutive numbers spread over brackets.
    for (let i = 0; i < 100; i++) expect(bracketOfNumber(layout, i)).toBe(bracketOfNumber(layout, i));
    const first30 = new Set(Array.from({ length: 30 }, (_, i) => bracketOfNumber(layout, i)));
    expect(first30.size).toBeGreaterThanOrEqual(3);
    // Within the first 200 trials every bracket has trials (the balance holds early, too).
    const early = new Array(layout.count).fill(0);
    for (let i = 0; i < 200; i++) early[bracketOfNumber(layout, i)]++;
    layout.budgets.forEach((b, k) => expect(Math.abs(early[k] - (200 * b) / layout.total)).toBeLessThan(15));
  });

  it("runs ASHA inside each bracket, with the bracket's first rung at minResource * eta^bracket", () => {
    const p = hyperband({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    const layout = bracketLayout(1, 27, 3);
    const inBracket = (b: number, from: number) => {
      const out: number[] = [];
      for (let i = from; out.length < 6; i++) if (bracketOfNumber(layout, i) === b) out.push(i);
      return out;
    };
    // Bracket 0: rungs at 1, 3, 9. Three good trials at rung 0; a bad fourth is pruned at step 1.
    const [a, b, c, d] = inBracket(0, 0);
    const s0 = study([trial(a, "COMPLETE", flat(1, 27)), trial(b, "COMPLETE", flat(2, 27)), trial(c, "COMPLETE", flat(3, 27))]);
    const pruned = p.prune(s0, trial(d, "RUNNING", [9]));
    expect(pruned.shouldPrune).toBe(true);
    expect(pruned.reason).toMatch(/rung 0 \(step 1\).* in bracket 0$/);
    // Bracket 1: first rung at step 3, and trials of bracket 0 are not its competitors.
    const [e] = inBracket(1, 0);
    expect(p.prune(s0, trial(e, "RUNNING", [9])).shouldPrune).toBe(false);
    expect(p.prune(s0, trial(e, "RUNNING", [9, 9, 9])).shouldPrune).toBe(false); // alone in its bracket
    const [f, g, h] = inBracket(1, e + 1);
    const s1 = study([...s0.trials, trial(e, "COMPLETE", flat(1, 27)), trial(f, "COMPLETE", flat(2, 27)), trial(g, "COMPLETE", flat(3, 27))]);
    expect(p.prune(s1, trial(h, "RUNNING", [9, 9])).shouldPrune).toBe(false);
    expect(p.prune(s1, trial(h, "RUNNING", [9, 9, 9])).reason).toMatch(/rung 0 \(step 3\).* in bracket 1$/);
  });

  it("shows the sampler only the trials of the new trial's bracket", () => {
    const p = hyperband({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    const layout = bracketLayout(1, 27, 3);
    const trials = Array.from({ length: 60 }, (_, i) => trial(i, "COMPLETE", flat(i, 27)));
    for (const next of [60, 61, 62, 63]) {
      const seen = p.samplerTrials(study(trials), next);
      const b = bracketOfNumber(layout, next);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((t) => bracketOfNumber(layout, t.number) === b)).toBe(true);
      expect(seen.length).toBe(trials.filter((t) => bracketOfNumber(layout, t.number) === b).length);
    }
    expect(p.rungSteps(study(trials))).toEqual([1, 3, 9, 27]);
  });

  it("with maxResource auto, puts everything in bracket 0 and prunes nothing until a trial completes", () => {
    const p = createPruner({ type: "HYPERBAND", options: {} });
    const running = [trial(0, "RUNNING", flat(1, 50)), trial(1, "RUNNING", flat(1, 50))];
    expect(p.prune(study(running), trial(2, "RUNNING", [99])).shouldPrune).toBe(false);
    expect(p.samplerTrials!(study(running), 2)).toHaveLength(2);
    const done = [trial(0, "COMPLETE", flat(1, 81)), trial(1, "COMPLETE", flat(1, 81))];
    expect(p.rungSteps!(study(done), 2)).toEqual([1, 3, 9, 27, 81]);
  });
});
