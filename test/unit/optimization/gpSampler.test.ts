import { describe, expect, it } from "vitest";
import { InvalidSpaceError, Rng, containsValue, parseSearchSpace } from "../../../server/src/optimization";
import type { Direction, JsonValue, ParamSpec, TrialView } from "../../../server/src/optimization";
import { GpSampler, parseGpOptions } from "../../../server/src/optimization/samplers/gpSampler";
import { minimizeInBox } from "../../../server/src/optimization/samplers/gp/boxedLbfgs";
import { logH, normalCdf } from "../../../server/src/optimization/samplers/gp/logExpectedImprovement";
import { powerTransform } from "../../../server/src/optimization/samplers/gp/powerTransform";
import { RandomSampler } from "../../../server/src/optimization/samplers/randomSampler";
import type { Sampler } from "../../../server/src/optimization/samplers/sampler";

type Objective = (p: Record<string, JsonValue>) => number;

function optimize(sampler: Sampler, space: ParamSpec[], f: Objective, n: number, directions: Direction[] = ["MINIMIZE"]) {
  const trials: TrialView[] = [];
  let state: JsonValue | null = null;
  for (let t = 0; t < n; t++) {
    const r = sampler.sampleRelative({ study: { directions, searchSpace: space, trials: trials.slice() }, trialNumber: t, state });
    if (r.state !== undefined) state = JSON.parse(JSON.stringify(r.state)) as JsonValue;
    trials.push({ number: t, state: "COMPLETE", params: r.params, distributions: {}, values: [f(r.params)], intermediateValues: [] });
  }
  return { trials, best: Math.min(...trials.map((t) => (t.values as number[])[0])) };
}

// Smaller acquisition search than the defaults keeps the suite fast; the model is the same.
const fast = parseGpOptions({ candidates: 256, localSearches: 3 });

const braninSpace = parseSearchSpace([
  { name: "x", type: "FLOAT", low: -5, high: 10 },
  { name: "y", type: "FLOAT", low: 0, high: 15 },
]);
const branin: Objective = (p) => {
  const x1 = p.x as number;
  const x2 = p.y as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10 - 0.397887;
};

describe("GP building blocks", () => {
  it("computes log h(z) = log(phi(z) + z Phi(z)) stably with the right slope", () => {
    for (const z of [-2.5, -1, 0, 0.7, 3]) {
      const direct = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * normalCdf(z);
      expect(logH(z).value).toBeCloseTo(Math.log(direct), 10);
    }
    // Far in the tail plain EI underflows to 0; log h is finite, decreasing and ~ -z^2/2 - 3 log|z|.
    let previous = Number.POSITIVE_INFINITY;
    for (const z of [-5, -20, -40, -100, -1e4]) {
      const { value, derivative } = logH(z);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeLessThan(previous);
      previous = value;
      expect(value).toBeCloseTo(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z), z < -30 ? 2 : 0);
      const e = 1e-5 * Math.max(1, -z);
      expect(derivative).toBeCloseTo((logH(z + e).value - logH(z - e).value) / (2 * e), z < -30 ? 1 : 4);
    }
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
  });

  it("power-transforms heavy-tailed values to a standardised, far less skewed, same-order sample", () => {
    const rng = new Rng(5);
    const values = Array.from({ length: 200 }, () => -Math.exp(rng.normal()));
    const t = powerTransform(values);
    const skew = (a: ArrayLike<number>) => {
      const m = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
      const sd = Math.sqrt(Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
      return Array.from(a).reduce((s, v) => s + ((v - m) / sd) ** 3, 0) / a.length;
    };
    expect(Math.abs(skew(t))).toBeLessThan(0.5);
    expect(Math.abs(skew(values))).toBeGreaterThan(2);
    expect(Array.from(t).reduce((s, v) => s + v, 0) / t.length).toBeCloseTo(0, 9);
    const order = (a: ArrayLike<number>) => Array.from(a, (_, i) => i).sort((i, j) => a[i] - a[j]);
    expect(order(t)).toEqual(order(values));
  });

  it("minimises inside a box and stops on the bound", () => {
    const rosen = (x: Float64Array, g: Float64Array) => {
      g[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
      g[1] = 200 * (x[1] - x[0] ** 2);
      return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    };
    const free = minimizeInBox(rosen, [-1.2, 1], [-2, -2], [2, 2], { maxIterations: 500, gtol: 1e-8, ftol: 0 });
    expect(free.x[0]).toBeCloseTo(1, 4);
    expect(free.x[1]).toBeCloseTo(1, 4);
    const boxed = minimizeInBox(rosen, [-1.2, 0.1], [-2, -2], [2, 0.5], { maxIterations: 500, gtol: 1e-8, ftol: 0 });
    expect(boxed.x[1]).toBe(0.5);
    expect(boxed.x[0]).toBeCloseTo(Math.SQRT1_2, 2);
  });
});

describe("GP sampler", () => {
  it("beats random search on Branin and a 5-d sphere over several seeds", () => {
    const sphereSpace = parseSearchSpace(Array.from({ length: 5 }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low: -5, high: 10 })));
    const sphere: Objective = (p) => sphereSpace.reduce((s, spec) => s + ((p[spec.name] as number) - 1.3) ** 2, 0);
    for (const [space, f, n] of [
      [braninSpace, branin, 30],
      [sphereSpace, sphere, 30],
    ] as const) {
      let wins = 0;
      const seeds = [1, 2, 3];
      for (const seed of seeds) {
        const gp = optimize(new GpSampler(seed, fast), space, f, n).best;
        const random = optimize(new RandomSampler(seed), space, f, n).best;
        if (gp < random / 4) wins++;
      }
      expect(wins).toBe(seeds.length);
    }
  });

  it("keeps every value on its grid, in bounds, with conditions, categoricals and a maximised objective", () => {
    const space = parseSearchSpace([
      { name: "n", type: "INT", low: 1, high: 256, log: true },
      { name: "k", type: "INT", low: -3, high: 30, step: 3 },
      { name: "s", type: "FLOAT", low: 0, high: 1, step: 0.1 },
      { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
      { name: "opt", type: "CATEGORICAL", choices: ["sgd", "adam", null] },
      { name: "beta", type: "FLOAT", low: 0.5, high: 0.999, condition: { param: "opt", values: ["adam"] } },
    ]);
    const f: Objective = (p) =>
      -((Math.log2(p.n as number) - 5) ** 2) - ((p.k as number) - 12) ** 2 / 9 - (Math.log10(p.lr as number) + 3) ** 2 + (p.opt === "adam" ? 1 - ((p.beta as number) - 0.9) ** 2 * 10 : 0) - (p.s as number);
    const { trials } = optimize(new GpSampler(4, fast), space, f, 30, ["MAXIMIZE"]);
    for (const t of trials) {
      for (const spec of space) {
        if (spec.name in t.params) expect(containsValue(spec, t.params[spec.name])).toBe(true);
      }
      expect("beta" in t.params).toBe(t.params.opt === "adam");
    }
    const best = Math.max(...trials.map((t) => (t.values as number[])[0]));
    const random = Math.max(...optimize(new RandomSampler(4), space, f, 30).trials.map((t) => (t.values as number[])[0]));
    expect(best).toBeGreaterThan(random);
  });

  it("spreads parallel asks with the constant liar, and piles them up without it", () => {
    const rng = new Rng(1);
    const finished: TrialView[] = Array.from({ length: 12 }, (_, i) => {
      const params = { x: rng.uniform(-5, 10), y: rng.uniform(0, 15) };
      return { number: i, state: "COMPLETE", params, distributions: {}, values: [branin(params)], intermediateValues: [] };
    });
    const parallelAsks = (constantLiar: boolean) => {
      const sampler = new GpSampler(2, parseGpOptions({ candidates: 256, localSearches: 3, constantLiar }));
      const trials = finished.slice();
      const points: number[][] = [];
      for (let k = 0; k < 4; k++) {
        const r = sampler.sampleRelative({ study: { directions: ["MINIMIZE"], searchSpace: braninSpace, trials: trials.slice() }, trialNumber: trials.length, state: null });
        points.push([((r.params.x as number) + 5) / 15, (r.params.y as number) / 15]);
        trials.push({ number: trials.length, state: "RUNNING", params: r.params, distributions: {}, values: null, intermediateValues: [] });
      }
      let minDistance = Infinity;
      for (let i = 0; i < points.length; i++) {
        for (let j = 0; j < i; j++) minDistance = Math.min(minDistance, Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]));
      }
      return minDistance;
    };
    expect(parallelAsks(true)).toBeGreaterThan(0.03);
    expect(parallelAsks(false)).toBeLessThan(0.01);
  });

  it("samples studies with several directions (ParEGO) and refuses bad options", () => {
    const space = parseSearchSpace([
      { name: "x", type: "FLOAT", low: 0, high: 1 },
      { name: "y", type: "FLOAT", low: 0, high: 1 },
    ]);
    const trials: TrialView[] = [];
    for (let t = 0; t < 16; t++) {
      const r = new GpSampler(1, fast).sampleRelative({ study: { directions: ["MINIMIZE", "MAXIMIZE"], searchSpace: space, trials: trials.slice() }, trialNumber: t, state: null });
      const x = r.params.x as number;
      const y = r.params.y as number;
      trials.push({ number: t, state: "COMPLETE", params: r.params, distributions: {}, values: [x + y * y, 1 - x], intermediateValues: [] });
    }
    // Later trials concentrate on the front (y = 0) without collapsing onto one end of it.
    const late = trials.slice(10);
    expect(late.filter((t) => (t.params.y as number) < 0.2).length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...late.map((t) => t.params.x as number)) - Math.min(...late.map((t) => t.params.x as number))).toBeGreaterThan(0.2);
    expect(() => parseGpOptions({ n_startup: 3 })).toThrow(InvalidSpaceError);
    expect(() => parseGpOptions({ nStartupTrials: -1 })).toThrow(/nStartupTrials/);
    expect(parseGpOptions({ n_startup_trials: 3 }).nStartupTrials).toBe(3);
  });
});
