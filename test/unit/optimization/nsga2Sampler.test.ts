import { describe, expect, it } from "vitest";
import { InvalidSpaceError, containsValue, parseSearchSpace } from "../../../server/src/optimization";
import type { Direction, JsonValue, ParamSpec, TrialView } from "../../../server/src/optimization";
import { Nsga2Sampler, parseNsga2Options } from "../../../server/src/optimization/samplers/nsga2Sampler";
import { constrainedDominates, crowdingDistances, nonDominatedFronts } from "../../../server/src/optimization/samplers/nsga2/nonDominatedSort";
import { RandomSampler } from "../../../server/src/optimization/samplers/randomSampler";
import type { Sampler } from "../../../server/src/optimization/samplers/sampler";

type Objective = (p: Record<string, JsonValue>) => { values: number[]; constraints?: number[] };

function optimize(sampler: Sampler, space: ParamSpec[], directions: Direction[], f: Objective, n: number): TrialView[] {
  const trials: TrialView[] = [];
  let state: JsonValue | null = null;
  for (let t = 0; t < n; t++) {
    const r = sampler.sampleRelative({ study: { directions, searchSpace: space, trials: trials.slice() }, trialNumber: t, state });
    if (r.state !== undefined) state = r.state;
    const { values, constraints } = f(r.params);
    trials.push({ number: t, state: "COMPLETE", params: r.params, distributions: {}, values, intermediateValues: [], constraints: constraints ?? null });
  }
  return trials;
}

const zdtSpace = parseSearchSpace(Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low: 0, high: 1 })));
const zdt1: Objective = (p) => {
  const x = zdtSpace.map((s) => p[s.name] as number);
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (x.length - 1);
  return { values: [x[0], g * (1 - Math.sqrt(x[0] / g))] };
};

/** Hypervolume of 2-d minimisation points against a reference point. */
function hypervolume2d(points: number[][], ref: [number, number]): number {
  const inside = points.filter((p) => p[0] < ref[0] && p[1] < ref[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hv = 0;
  let bestY = ref[1];
  for (const [x, y] of inside) {
    if (y < bestY) {
      hv += (ref[0] - x) * (bestY - y);
      bestY = y;
    }
  }
  return hv;
}

describe("non-dominated sorting", () => {
  it("ranks fronts, prefers feasible points and gives extremes infinite crowding", () => {
    const pop = [
      { objectives: [1, 4], violation: 0 },
      { objectives: [2, 2], violation: 0 },
      { objectives: [4, 1], violation: 0 },
      { objectives: [3, 3], violation: 0 },
      { objectives: [0, 0], violation: 2 },
      { objectives: [0, 0], violation: 1 },
    ];
    expect(nonDominatedFronts(pop)).toEqual([[0, 1, 2], [3], [5], [4]]);
    expect(constrainedDominates(pop[3], pop[5])).toBe(true);
    expect(constrainedDominates(pop[5], pop[4])).toBe(true);
    const d = crowdingDistances(pop, [0, 1, 2]);
    expect(d[0]).toBe(Infinity);
    expect(d[2]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(2, 10);
  });
});

describe("NSGA2 sampler", () => {
  it("finds a better ZDT1 front (hypervolume) than random sampling", () => {
    const opts = parseNsga2Options({ populationSize: 30 });
    let wins = 0;
    const seeds = [1, 2, 3];
    for (const seed of seeds) {
      const hv = (s: Sampler) => hypervolume2d(optimize(s, zdtSpace, ["MINIMIZE", "MINIMIZE"], zdt1, 360).map((t) => t.values as number[]), [1.1, 11]);
      const nsga = hv(new Nsga2Sampler(seed, opts));
      const random = hv(new RandomSampler(seed));
      if (nsga > random * 1.05) wins++;
    }
    expect(wins).toBe(seeds.length);
  });

  it("keeps to the feasible region under constraints", () => {
    // Feasible only where x0 + x1 >= 1.4 (under a fifth of the box); the unconstrained front lies at x0 near 0.
    const f: Objective = (p) => {
      const r = zdt1(p);
      return { values: r.values, constraints: [1.4 - ((p.x0 as number) + (p.x1 as number))] };
    };
    const trials = optimize(new Nsga2Sampler(7, parseNsga2Options({ populationSize: 20 })), zdtSpace, ["MINIMIZE", "MINIMIZE"], f, 200);
    const feasibleShare = (ts: TrialView[]) => ts.filter((t) => (t.constraints as number[])[0] <= 0).length / ts.length;
    expect(feasibleShare(trials.slice(0, 20))).toBeLessThan(0.35);
    expect(feasibleShare(trials.slice(-40))).toBeGreaterThan(0.8);
  });

  it("works for one objective, respects bounds and grids, and is deterministic for a seed", () => {
    const space = parseSearchSpace([
      { name: "x", type: "FLOAT", low: -5, high: 5 },
      { name: "n", type: "INT", low: 1, high: 64, log: true },
      { name: "s", type: "FLOAT", low: 0, high: 1, step: 0.1 },
      { name: "opt", type: "CATEGORICAL", choices: ["a", "b", "c"] },
      { name: "m", type: "FLOAT", low: 0, high: 1, condition: { param: "opt", values: ["b"] } },
    ]);
    const f: Objective = (p) => ({ values: [(p.x as number) ** 2 + Math.log2(p.n as number) + (p.opt === "b" ? 0 : 1) + (p.s as number)] });
    const run = (seed: number) => optimize(new Nsga2Sampler(seed, parseNsga2Options({ populationSize: 10 })), space, ["MINIMIZE"], f, 150);
    const a = run(3);
    expect(run(3).map((t) => t.params)).toEqual(a.map((t) => t.params));
    for (const t of a) {
      for (const spec of space) {
        if (spec.name in t.params) expect(containsValue(spec, t.params[spec.name])).toBe(true);
      }
      expect("m" in t.params).toBe(t.params.opt === "b");
    }
    const random = optimize(new RandomSampler(3), space, ["MINIMIZE"], f, 150);
    const best = (ts: TrialView[]) => Math.min(...ts.map((t) => (t.values as number[])[0]));
    expect(best(a)).toBeLessThan(best(random));
  });

  it("does not close a generation while its trials are still running", () => {
    const space = zdtSpace;
    const sampler = new Nsga2Sampler(5, parseNsga2Options({ populationSize: 4 }));
    const trials: TrialView[] = [];
    let state: JsonValue | null = null;
    const ask = () => {
      const r = sampler.sampleRelative({ study: { directions: ["MINIMIZE", "MINIMIZE"], searchSpace: space, trials: trials.slice() }, trialNumber: trials.length, state });
      state = r.state ?? state;
      trials.push({ number: trials.length, state: "RUNNING", params: r.params, distributions: {}, values: null, intermediateValues: [] });
    };
    for (let i = 0; i < 6; i++) ask();
    // Three complete, the rest still running: generation 0 must keep going.
    for (const t of trials.slice(0, 3)) Object.assign(t, { state: "COMPLETE", values: zdt1(t.params).values });
    ask();
    expect((state as unknown as { generation: number }).generation).toBe(0);
    Object.assign(trials[4], { state: "COMPLETE", values: zdt1(trials[4].params).values });
    ask();
    expect((state as unknown as { generation: number; parents: number[] }).generation).toBe(1);
    expect((state as unknown as { parents: number[] }).parents).toHaveLength(4);
  });

  it("refuses unknown or invalid options", () => {
    expect(() => parseNsga2Options({ populationSze: 10 })).toThrow(InvalidSpaceError);
    expect(() => parseNsga2Options({ crossover: "XX" })).toThrow(/crossover/);
    expect(parseNsga2Options({ population_size: 8 }).populationSize).toBe(8);
  });
});
