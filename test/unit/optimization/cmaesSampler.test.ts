import { describe, expect, it } from "vitest";
import { InvalidSpaceError, Rng, containsValue, parseSearchSpace } from "../../../server/src/optimization";
import type { Direction, JsonValue, ParamSpec, TrialView } from "../../../server/src/optimization";
import { CmaesSampler, parseCmaesOptions } from "../../../server/src/optimization/samplers/cmaesSampler";
import { RandomSampler } from "../../../server/src/optimization/samplers/randomSampler";
import type { Sampler } from "../../../server/src/optimization/samplers/sampler";

type Objective = (p: Record<string, JsonValue>) => number;

/** Sequential ask/tell loop; the state goes through JSON like it does through the database. */
function optimize(samplers: Sampler[], space: ParamSpec[], f: Objective, n: number, directions: Direction[] = ["MINIMIZE"]) {
  const trials: TrialView[] = [];
  let state: JsonValue | null = null;
  for (let t = 0; t < n; t++) {
    const sampler = samplers[t % samplers.length];
    const r = sampler.sampleRelative({ study: { directions, searchSpace: space, trials: trials.slice() }, trialNumber: t, state });
    if (r.state !== undefined) state = JSON.parse(JSON.stringify(r.state)) as JsonValue;
    trials.push({ number: t, state: "COMPLETE", params: r.params, distributions: {}, values: [f(r.params)], intermediateValues: [] });
  }
  return { trials, state, best: Math.min(...trials.map((t) => (t.values as number[])[0])) };
}

const box = (d: number, low: number, high: number) =>
  parseSearchSpace(Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low, high })));
const xs = (p: Record<string, JsonValue>, d: number) => Array.from({ length: d }, (_, i) => p[`x${i}`] as number);
const sphere: Objective = (p) => xs(p, 5).reduce((s, v) => s + (v - 1.3) ** 2, 0);
const rosenbrock: Objective = (p) => {
  const x = xs(p, 5);
  let s = 0;
  for (let i = 0; i < 4; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
};

describe("CMAES sampler", () => {
  it("beats random search on a 5-d sphere and a 5-d Rosenbrock over several seeds", () => {
    const space = box(5, -5, 10);
    for (const f of [sphere, rosenbrock]) {
      let wins = 0;
      const seeds = [1, 2, 3, 4, 5];
      for (const seed of seeds) {
        const cma = optimize([new CmaesSampler(seed)], space, f, 100).best;
        const random = optimize([new RandomSampler(seed)], space, f, 100).best;
        if (cma < random) wins++;
      }
      expect(wins).toBe(seeds.length);
    }
    // And it converges given the budget.
    expect(optimize([new CmaesSampler(1)], space, sphere, 400).best).toBeLessThan(1e-3);
  });

  it("gives the same trials whether one sampler object or several share the JSON state", () => {
    const space = box(3, -2, 2);
    const f: Objective = (p) => xs(p, 3).reduce((s, v) => s + v * v, 0);
    const one = optimize([new CmaesSampler(11)], space, f, 60);
    const three = optimize([new CmaesSampler(11), new CmaesSampler(11), new CmaesSampler(11)], space, f, 60);
    expect(three.trials.map((t) => t.params)).toEqual(one.trials.map((t) => t.params));
    expect(three.state).toEqual(one.state);
    expect((one.state as unknown as { generation: number }).generation).toBeGreaterThan(5);
  });

  it("updates a generation from trials that finish out of order while others still run", () => {
    const space = box(5, -5, 10);
    const rng = new Rng(4);
    const sampler = new CmaesSampler(2);
    const trials: TrialView[] = [];
    let state: JsonValue | null = null;
    // Four workers; each ask happens while three other trials are running, and a random running
    // trial finishes next (some fail).
    while (trials.length < 160) {
      const r = sampler.sampleRelative({ study: { directions: ["MINIMIZE"], searchSpace: space, trials: trials.slice() }, trialNumber: trials.length, state });
      state = r.state ?? state;
      trials.push({ number: trials.length, state: "RUNNING", params: r.params, distributions: {}, values: null, intermediateValues: [] });
      const running = trials.filter((t) => t.state === "RUNNING");
      if (running.length >= 4) {
        const t = running[rng.int(0, running.length - 1)];
        if (rng.random() < 0.1) t.state = "FAIL";
        else Object.assign(t, { state: "COMPLETE", values: [sphere(t.params)] });
      }
    }
    const s = state as unknown as { generation: number; restarts: number };
    expect(s.generation + s.restarts).toBeGreaterThan(8);
    const best = Math.min(...trials.filter((t) => t.values).map((t) => (t.values as number[])[0]));
    const random = optimize([new RandomSampler(2)], space, sphere, 160).best;
    expect(best).toBeLessThan(random / 5);
  });

  it("keeps integers, steps and log ranges on their grids and finds an integer optimum", () => {
    const space = parseSearchSpace([
      { name: "a", type: "INT", low: -20, high: 20 },
      { name: "b", type: "INT", low: 1, high: 1024, log: true },
      { name: "c", type: "FLOAT", low: 0, high: 2, step: 0.25 },
      { name: "d", type: "FLOAT", low: 1e-4, high: 1, log: true },
      { name: "opt", type: "CATEGORICAL", choices: ["x", "y"] },
    ]);
    const f: Objective = (p) =>
      ((p.a as number) - 3) ** 2 + (Math.log2(p.b as number) - 3) ** 2 + 16 * ((p.c as number) - 1.25) ** 2 + (Math.log10(p.d as number) + 2) ** 2;
    const { trials } = optimize([new CmaesSampler(8)], space, f, 250);
    for (const t of trials) for (const spec of space) expect(containsValue(spec, t.params[spec.name])).toBe(true);
    const best = trials.reduce((a, b) => ((a.values as number[])[0] <= (b.values as number[])[0] ? a : b));
    expect(best.params.a).toBe(3);
    expect(best.params.b).toBe(8);
    expect(best.params.c).toBe(1.25);
  });

  it("restarts with a doubled population when the search has converged", () => {
    const space = box(2, -1, 1);
    const f: Objective = (p) => xs(p, 2).reduce((s, v) => s + v * v, 0);
    const { state } = optimize([new CmaesSampler(5)], space, f, 700);
    const s = state as unknown as { restarts: number; popsize: number };
    expect(s.restarts).toBeGreaterThan(0);
    expect(s.popsize).toBe(6 * 2 ** s.restarts);
    const noRestart = optimize([new CmaesSampler(5, parseCmaesOptions({ restartStrategy: "NONE" }))], space, f, 700).state;
    expect((noRestart as unknown as { restarts: number }).restarts).toBe(0);
  });

  it("starts from the best of its random startup trials when asked to", () => {
    const space = box(2, -5, 5);
    const f: Objective = (p) => ((p.x0 as number) - 4) ** 2 + ((p.x1 as number) + 4) ** 2;
    const sampler = new CmaesSampler(3, parseCmaesOptions({ nStartupTrials: 8 }));
    const trials: TrialView[] = [];
    let state: JsonValue | null = null;
    for (let t = 0; t < 9; t++) {
      const r = sampler.sampleRelative({ study: { directions: ["MINIMIZE"], searchSpace: space, trials: trials.slice() }, trialNumber: t, state });
      expect(r.state === undefined).toBe(t < 8);
      state = r.state ?? state;
      trials.push({ number: t, state: "COMPLETE", params: r.params, distributions: {}, values: [f(r.params)], intermediateValues: [] });
    }
    const best = trials.slice(0, 8).reduce((a, b) => ((a.values as number[])[0] <= (b.values as number[])[0] ? a : b));
    const mean = (state as unknown as { mean: number[] }).mean;
    expect(mean[0]).toBeCloseTo(((best.params.x0 as number) + 5) / 10, 9);
    expect(mean[1]).toBeCloseTo(((best.params.x1 as number) + 5) / 10, 9);
  });

  it("samples studies with several directions uniformly and refuses bad options", () => {
    const space = box(2, 0, 1);
    const r = new CmaesSampler(1).sampleRelative({ study: { directions: ["MINIMIZE", "MAXIMIZE"], searchSpace: space, trials: [] }, trialNumber: 0, state: null });
    expect(Object.keys(r.params).sort()).toEqual(["x0", "x1"]);
    expect(() => parseCmaesOptions({ sigma: 0.3 })).toThrow(InvalidSpaceError);
    expect(() => parseCmaesOptions({ restartStrategy: "BIPOPX" })).toThrow(/restartStrategy/);
    expect(parseCmaesOptions({ sigma0: 0.3 }).sigma0).toBe(0.3);
  });
});
