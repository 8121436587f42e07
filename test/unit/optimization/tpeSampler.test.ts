import { describe, expect, it } from "vitest";
import { containsValue, createSampler, parseSearchSpace } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, Sampler, StudyView, TrialState, TrialView } from "../../../server/src/optimization";
import { splitObservations } from "../../../server/src/optimization/samplers/tpe/split";

function view(number: number, params: Record<string, JsonValue>, space: ParamSpec[], state: TrialState, values: number[] | null, extra: Partial<TrialView> = {}): TrialView {
  const distributions = Object.fromEntries(space.filter((s) => s.name in params).map((s) => [s.name, s]));
  return { number, state, params, distributions, values, intermediateValues: [], ...extra };
}

/** Runs `trials` sequential asks and returns the best value found. */
function optimise(sampler: Sampler, space: ParamSpec[], f: (p: Record<string, JsonValue>) => number, trials: number, onTrial?: (p: Record<string, JsonValue>) => void): number {
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: [] };
  let best = Infinity;
  let state: JsonValue | null = null;
  for (let n = 0; n < trials; n++) {
    const out = sampler.sampleRelative({ study, trialNumber: n, state });
    state = out.state ?? state;
    onTrial?.(out.params);
    const v = f(out.params);
    best = Math.min(best, v);
    study.trials.push(view(n, out.params, space, "COMPLETE", [v]));
  }
  return best;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

const quadSpace = parseSearchSpace([
  { name: "x", type: "FLOAT", low: -10, high: 10 },
  { name: "y", type: "FLOAT", low: -10, high: 10 },
  { name: "n", type: "INT", low: -20, high: 20 },
]);
const quad = (p: Record<string, JsonValue>) => ((p.x as number) - 3) ** 2 + ((p.y as number) + 1) ** 2 + (((p.n as number) - 7) / 4) ** 2;

const mixedSpace = parseSearchSpace([
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
  { name: "units", type: "INT", low: 16, high: 512, log: true },
  { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop", "adagrad"] },
  { name: "dropout", type: "FLOAT", low: 0, high: 0.6, step: 0.05 },
]);
const mixed = (p: Record<string, JsonValue>) =>
  (Math.log10(p.lr as number) + 3) ** 2 + (Math.log2(p.units as number) - 7) ** 2 / 4 + (p.opt === "adam" ? 0 : 1) + 10 * ((p.dropout as number) - 0.2) ** 2;

describe("TPE sampler", () => {
  for (const [label, options] of [["univariate", {}], ["multivariate", { multivariate: true }]] as const) {
    it(`${label}: beats RANDOM on a quadratic and on a mixed HPO-like space over several seeds`, () => {
      for (const [space, f] of [[quadSpace, quad], [mixedSpace, mixed]] as const) {
        const tpe: number[] = [];
        const random: number[] = [];
        for (let seed = 0; seed < 7; seed++) {
          tpe.push(optimise(createSampler({ type: "TPE", seed, options }), space, f, 60));
          random.push(optimise(createSampler({ type: "RANDOM", seed, options: {} }), space, f, 60));
        }
        expect(median(tpe)).toBeLessThan(median(random) / 2);
        expect(tpe.filter((v, i) => v < random[i]).length).toBeGreaterThanOrEqual(5);
      }
    });
  }

  it("keeps every value inside its bounds and on its grid, and is deterministic per seed", () => {
    const run = (seed: number) => {
      const seen: Record<string, JsonValue>[] = [];
      optimise(createSampler({ type: "TPE", seed, options: { multivariate: true } }), mixedSpace, mixed, 40, (p) => seen.push(p));
      return seen;
    };
    const a = run(4);
    for (const p of a) for (const spec of mixedSpace) expect(containsValue(spec, p[spec.name])).toBe(true);
    expect(run(4)).toEqual(a);
    expect(run(5)).not.toEqual(a);
  });

  it("samples only active conditional parameters and learns inside each branch", () => {
    const space = parseSearchSpace([
      { name: "model", type: "CATEGORICAL", choices: ["svm", "tree"] },
      { name: "C", type: "FLOAT", low: 1e-3, high: 1e3, log: true, condition: { param: "model", values: ["svm"] } },
      { name: "gamma", type: "FLOAT", low: 0, high: 1, condition: { param: "model", values: ["svm"] } },
      { name: "depth", type: "INT", low: 1, high: 20, condition: { param: "model", values: ["tree"] } },
      { name: "scale", type: "FLOAT", low: 0, high: 1 },
    ]);
    const f = (p: Record<string, JsonValue>) =>
      p.model === "svm" ? Math.abs(Math.log10(p.C as number) - 1) + Math.abs((p.gamma as number) - 0.3) + (p.scale as number) : 1 + Math.abs((p.depth as number) - 5) / 5;
    const variants: Record<string, JsonValue>[] = [{}, { multivariate: true }, { multivariate: true, group: false }];
    for (const options of variants) {
      const params: Record<string, JsonValue>[] = [];
      optimise(createSampler({ type: "TPE", seed: 2, options }), space, f, 60, (p) => params.push(p));
      for (const p of params) {
        const expected = p.model === "svm" ? ["C", "gamma", "model", "scale"] : ["depth", "model", "scale"];
        expect(Object.keys(p).sort()).toEqual(expected);
      }
      // The svm branch is better; the model should favour it once it has learnt.
      expect(params.slice(30).filter((p) => p.model === "svm").length).toBeGreaterThan(20);
    }
  });

  it("constant liar spreads parallel asks that see each other as RUNNING", () => {
    const spread = (liar: boolean) => {
      const distances: number[] = [];
      for (let seed = 0; seed < 5; seed++) {
        const sampler = createSampler({ type: "TPE", seed, options: { constantLiar: liar, multivariate: true } });
        const study: StudyView = { directions: ["MINIMIZE"], searchSpace: quadSpace, trials: [] };
        optimise(sampler, quadSpace, quad, 0);
        for (let n = 0; n < 30; n++) {
          const p = createSampler({ type: "RANDOM", seed: 100 + seed, options: {} }).sampleRelative({ study, trialNumber: n, state: null }).params;
          study.trials.push(view(n, p, quadSpace, "COMPLETE", [quad(p)]));
        }
        const batch: Record<string, JsonValue>[] = [];
        for (let k = 0; k < 8; k++) {
          const p = sampler.sampleRelative({ study, trialNumber: 30 + k, state: null }).params;
          batch.push(p);
          study.trials.push(view(30 + k, p, quadSpace, "RUNNING", null));
        }
        for (let i = 0; i < batch.length; i++)
          for (let j = i + 1; j < batch.length; j++) distances.push(Math.hypot((batch[i].x as number) - (batch[j].x as number), (batch[i].y as number) - (batch[j].y as number)));
      }
      return distances.reduce((a, b) => a + b, 0) / distances.length;
    };
    expect(spread(true)).toBeGreaterThan(1.3 * spread(false));
  });

  it("ranks trials as Optuna does: complete by value, then pruned by depth and last report, running last", () => {
    const space = quadSpace;
    const p = { x: 0, y: 0, n: 0 };
    const trials = [
      view(0, p, space, "COMPLETE", [5]),
      view(1, p, space, "PRUNED", [1], { intermediateValues: [{ step: 1, value: 3 }, { step: 2, value: 1 }] }),
      view(2, p, space, "PRUNED", [0.5], { intermediateValues: [{ step: 1, value: 0.5 }] }),
      view(3, p, space, "COMPLETE", [2]),
      view(4, p, space, "RUNNING", null),
      view(5, p, space, "FAIL", null),
    ];
    const order = (k: number) => {
      const split = splitObservations({ directions: ["MINIMIZE"], searchSpace: space, trials }, { gamma: () => k, constantLiar: true });
      return split.trials.filter((_, i) => split.below[i]).map((t) => t.number).sort();
    };
    expect(order(1)).toEqual([3]);
    expect(order(2)).toEqual([0, 3]);
    expect(order(3)).toEqual([0, 1, 3]);
    expect(order(4)).toEqual([0, 1, 2, 3]);
    const split = splitObservations({ directions: ["MINIMIZE"], searchSpace: space, trials }, { gamma: () => 1, constantLiar: true });
    expect(split.finished).toBe(4);
    expect(split.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
  });

  it("puts infeasible trials in the bad group by violation, and learns the feasible region", () => {
    const space = quadSpace;
    const p = { x: 0, y: 0, n: 0 };
    const trials = [
      view(0, p, space, "COMPLETE", [0], { constraints: [2] }),
      view(1, p, space, "COMPLETE", [9], { constraints: [0] }),
      view(2, p, space, "COMPLETE", [1], { constraints: [0.5, -1] }),
      view(3, p, space, "COMPLETE", [7], { constraints: [-1, -2] }),
    ];
    const below = (k: number) => {
      const split = splitObservations({ directions: ["MINIMIZE"], searchSpace: space, trials }, { gamma: () => k, constantLiar: false });
      return split.trials.filter((_, i) => split.below[i]).map((t) => t.number).sort();
    };
    expect(below(1)).toEqual([3]);
    expect(below(2)).toEqual([1, 3]);
    expect(below(3)).toEqual([1, 2, 3]);

    // Feasible only when x <= -2 (40% of the range), while the objective pulls towards x = 3.
    const feasibleLate = (withConstraints: boolean) => {
      let count = 0;
      for (let seed = 0; seed < 3; seed++) {
        const sampler = createSampler({ type: "TPE", seed, options: {} });
        const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: [] };
        for (let n = 0; n < 80; n++) {
          const q = sampler.sampleRelative({ study, trialNumber: n, state: null }).params;
          const c = (q.x as number) + 2;
          if (n >= 50 && c <= 0) count++;
          study.trials.push(view(n, q, space, "COMPLETE", [quad(q)], withConstraints ? { constraints: [c] } : {}));
        }
      }
      return count;
    };
    const constrained = feasibleLate(true);
    expect(constrained).toBeGreaterThan(3 * 30 * 0.4);
    expect(constrained).toBeGreaterThan(2 * feasibleLate(false));
  });

  it("handles two objectives: the good group is the first non-dominated front, and asks stay valid", () => {
    const space = quadSpace;
    const p = { x: 0, y: 0, n: 0 };
    const vectors = [[1, 5], [2, 2], [5, 1], [3, 3], [6, 6], [2.5, 4]];
    const trials = vectors.map((v, i) => view(i, p, space, "COMPLETE", v));
    const split = splitObservations({ directions: ["MINIMIZE", "MINIMIZE"], searchSpace: space, trials }, { gamma: () => 3, constantLiar: false });
    expect(split.trials.filter((_, i) => split.below[i]).map((t) => t.number).sort()).toEqual([0, 1, 2]);
    expect(split.belowWeights).not.toBeNull();

    const sampler = createSampler({ type: "TPE", seed: 3, options: { multivariate: true } });
    const study: StudyView = { directions: ["MINIMIZE", "MAXIMIZE"], searchSpace: space, trials: [] };
    for (let n = 0; n < 40; n++) {
      const q = sampler.sampleRelative({ study, trialNumber: n, state: null }).params;
      for (const spec of space) expect(containsValue(spec, q[spec.name])).toBe(true);
      study.trials.push(view(n, q, space, "COMPLETE", [(q.x as number) ** 2, -(((q.x as number) - 2) ** 2)]));
    }
  });

  it("samples define-by-run parameters from the history of that parameter", () => {
    const spec: ParamSpec = { name: "extra", type: "FLOAT", low: 0, high: 100, log: false, step: null };
    const sampler = createSampler({ type: "TPE", seed: 8, options: {} });
    const study: StudyView = { directions: ["MINIMIZE"], searchSpace: [], trials: [] };
    const late: number[] = [];
    for (let n = 0; n < 50; n++) {
      const t = view(n, {}, [], "RUNNING", null);
      const v = sampler.sampleIndependent({ study, trialNumber: n, state: null }, t, spec) as number;
      expect(containsValue(spec, v)).toBe(true);
      if (n >= 30) late.push(v);
      study.trials.push(view(n, { extra: v }, [spec], "COMPLETE", [Math.abs(v - 70)]));
    }
    expect(median(late.map((v) => Math.abs(v - 70)))).toBeLessThan(10);
  });
});
