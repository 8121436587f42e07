import { describe, expect, it } from "vitest";
import { Rng, createPruner, type PrunerConfig, type StudyView, type TrialView } from "../../../../server/src/optimization";
import { decideReports } from "../../../../server/src/optimization/pruners/decideReports";

/**
 * The service serialises the reports of one study and asks the pruner about each against the
 * history at that moment. Pruners are pure functions of (study, trial), so two trials racing to the
 * same rung get, in any interleaving of their reports, the answers of one serial order: the one in
 * which the trial that crossed the rung first goes first.
 */

const STEPS = 3; // Both trials report steps 1..3; every pruner below judges at step 3.
const configs: PrunerConfig[] = [
  { type: "SUCCESSIVE_HALVING", options: { minResource: 3, reductionFactor: 2 } },
  { type: "HYPERBAND", options: { minResource: 3, maxResource: 3, reductionFactor: 2 } },
  { type: "MEDIAN", options: { nStartupTrials: 1, nWarmupSteps: 3 } },
  { type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 3, reductionFactor: 2 } },
  { type: "PATIENT", options: { patience: 0, wrapped: { type: "SUCCESSIVE_HALVING", options: { minResource: 3, reductionFactor: 2 } } } },
];

function finished(number: number, rng: Rng): TrialView {
  const curve = Array.from({ length: STEPS + 2 }, (_, s) => ({ step: s + 1, value: rng.random() }));
  return { number, state: "COMPLETE", params: {}, distributions: {}, values: [curve[curve.length - 1].value], intermediateValues: curve };
}

/** Every sequence of STEPS 'A's and STEPS 'B's. */
function interleavings(a = STEPS, b = STEPS): string[] {
  if (a === 0) return ["B".repeat(b)];
  if (b === 0) return ["A".repeat(a)];
  return [...interleavings(a - 1, b).map((s) => `A${s}`), ...interleavings(a, b - 1).map((s) => `B${s}`)];
}

type Outcome = Record<"A" | "B", number | null>; // the step each trial was pruned at, or null

function simulate(config: PrunerConfig, base: TrialView[], curves: Record<"A" | "B", number[]>, order: string, batch = false): Outcome {
  const pruner = createPruner(config); // one instance for the whole run, as on a server
  const numbers = { A: base.length, B: base.length + 1 };
  const reports: Record<"A" | "B", { step: number; value: number }[]> = { A: [], B: [] };
  const outcome: Outcome = { A: null, B: null };
  for (const who of order as Iterable<"A" | "B">) {
    if (outcome[who] !== null) continue; // a pruned trial stops reporting
    const step = reports[who].length + 1;
    reports[who].push({ step, value: curves[who][step - 1] });
    const view = (w: "A" | "B"): TrialView => ({
      number: numbers[w],
      state: "RUNNING",
      params: {},
      distributions: {},
      values: null,
      intermediateValues: reports[w].slice(),
    });
    const other = who === "A" ? "B" : "A";
    // Trials in any order: the decision must not depend on it.
    const trials = [...base, ...(reports[other].length && outcome[other] === null ? [view(other)] : [])];
    const otherPruned = outcome[other] !== null ? [{ ...view(other), state: "PRUNED" as const }] : [];
    const study: StudyView = { directions: ["MINIMIZE"], searchSpace: [], trials: [...otherPruned, ...trials].reverse() };
    const decision = batch ? decideReports(pruner, study, view(who), [step]) : pruner.prune(study, view(who));
    if (decision.shouldPrune) outcome[who] = step;
  }
  return outcome;
}

describe("decisions under concurrent reports", () => {
  for (const config of configs) {
    it(`${config.type}: every interleaving of two trials at one rung gives a serial order's answers`, () => {
      let contested = 0;
      for (let seed = 0; seed < 30; seed++) {
        const rng = new Rng(seed);
        const base = Array.from({ length: rng.int(1, 6) }, (_, i) => finished(i, rng));
        // Low early values and a random one at the rung (so PATIENT's curves have stalled there too).
        const curve = () => [0.01 * rng.random(), 0.01 * rng.random(), rng.random()];
        const curves = { A: curve(), B: curve() };
        const aFirst = simulate(config, base, curves, "AAABBB");
        const bFirst = simulate(config, base, curves, "BBBAAA");
        if (JSON.stringify(aFirst) !== JSON.stringify(bFirst)) contested++;
        for (const order of interleavings()) {
          // The trial whose report at step 3 came first is first in the serial order.
          const aCrossesFirst = nthIndex(order, "A", STEPS) < nthIndex(order, "B", STEPS);
          const expected = aCrossesFirst ? aFirst : bFirst;
          expect(simulate(config, base, curves, order)).toEqual(expected);
          expect(simulate(config, base, curves, order, true)).toEqual(expected);
        }
      }
      // Order matters for the rung-based pruners, so the check is not vacuous there.
      if (config.type !== "MEDIAN") expect(contested).toBeGreaterThan(0);
    });
  }
});

function nthIndex(s: string, c: string, n: number): number {
  let seen = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === c && ++seen === n) return i;
  return -1;
}
