import { describe, expect, it } from "vitest";
import { containsValue, createSampler, parseSearchSpace } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, StudyView } from "../../../server/src/optimization";
import { SobolSequence } from "../../../server/src/optimization/samplers/sobol";

function points(type: string, space: ParamSpec[], n: number, seed: number): Record<string, JsonValue>[] {
  const sampler = createSampler({ type, seed, options: {} });
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: [] };
  return Array.from({ length: n }, (_, i) => sampler.sampleRelative({ study, trialNumber: i, state: null }).params);
}

/** Squared L2-star discrepancy (Warnock's formula); lower means more even. */
function l2StarDiscrepancy(xs: number[][]): number {
  const n = xs.length;
  const d = xs[0].length;
  let a = 0;
  for (const x of xs) a += x.reduce((p, v) => p * (1 - v * v), 1);
  let b = 0;
  for (const x of xs) for (const y of xs) b += x.reduce((p, v, k) => p * (1 - Math.max(v, y[k])), 1);
  return 3 ** -d - (2 ** (1 - d) / n) * a + b / (n * n);
}

const unitSpace = (d: number) => parseSearchSpace(Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low: 0, high: 1 })));
const asVectors = (ps: Record<string, JsonValue>[], d: number) => ps.map((p) => Array.from({ length: d }, (_, i) => p[`x${i}`] as number));

describe("QMC sampler", () => {
  it("puts exactly one of the first 64 points in each 1/8 x 1/8 cell (a random sampler almost never does)", () => {
    for (const seed of [1, 2, 3]) {
      const cells = new Set(asVectors(points("QMC", unitSpace(2), 64, seed), 2).map(([x, y]) => `${Math.floor(x * 8)},${Math.floor(y * 8)}`));
      expect(cells.size).toBe(64);
    }
    const randomCells = new Set(asVectors(points("RANDOM", unitSpace(2), 64, 1), 2).map(([x, y]) => `${Math.floor(x * 8)},${Math.floor(y * 8)}`));
    expect(randomCells.size).toBeLessThan(64);
  });

  it("has lower discrepancy than random points in 5 dimensions, for every seed", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const qmc = l2StarDiscrepancy(asVectors(points("QMC", unitSpace(5), 128, seed), 5));
      const random = l2StarDiscrepancy(asVectors(points("RANDOM", unitSpace(5), 128, seed), 5));
      expect(qmc).toBeLessThan(random);
    }
  });

  it("is deterministic per seed, differs across seeds, and depends only on the trial number", () => {
    const space = unitSpace(3);
    expect(points("QMC", space, 20, 7)).toEqual(points("QMC", space, 20, 7));
    expect(points("QMC", space, 20, 7)).not.toEqual(points("QMC", space, 20, 8));
    const sampler = createSampler({ type: "QMC", seed: 7, options: {} });
    const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: [] };
    expect(sampler.sampleRelative({ study, trialNumber: 13, state: null }).params).toEqual(points("QMC", space, 20, 7)[13]);
    expect(sampler.needsHistory).toBe(false);
  });

  it("unscrambled, reproduces the reference Sobol' points (Joe-Kuo direction numbers, Gray-code order)", () => {
    // scipy.stats.qmc.Sobol(d=3, scramble=False).random(8)
    const reference = [
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ];
    const sequence = new SobolSequence(3, null);
    reference.forEach((point, i) => expect(Array.from(sequence.point(i))).toEqual(point));
    // In every one of the 128 dimensions, the first 2^k points hit each interval [j/2^k, (j+1)/2^k) once.
    const wide = new SobolSequence(128, null);
    const points = Array.from({ length: 64 }, (_, i) => Array.from(wide.point(i)));
    for (let d = 0; d < 128; d++) expect(new Set(points.map((p) => Math.floor(p[d] * 64))).size).toBe(64);
  });

  it("scrambled, each point is uniform over seeds in every dimension, with no bias towards the centre or the corners", () => {
    const seeds = 400;
    const bins = 8;
    for (const index of [0, 1, 6, 37]) {
      const counts = Array.from({ length: 4 }, () => new Array<number>(bins).fill(0));
      const joint = new Array<number>(bins * bins).fill(0);
      for (let seed = 0; seed < seeds; seed++) {
        const u = new SobolSequence(4, seed).point(index);
        for (let d = 0; d < 4; d++) counts[d][Math.floor(u[d] * bins)]++;
        joint[Math.floor(u[0] * bins) * bins + Math.floor(u[3] * bins)]++;
      }
      // Chi-square with 7 degrees of freedom: 24.3 is its 0.1% quantile; 63 degrees of freedom: 103.4.
      const chi2 = (observed: number[]) => observed.reduce((sum, o) => sum + (o - seeds / observed.length) ** 2 / (seeds / observed.length), 0);
      for (const c of counts) expect(chi2(c)).toBeLessThan(24.3);
      expect(chi2(joint)).toBeLessThan(103.4);
    }
  });

  it("integrates a smooth function far more accurately than random points, without bias, through fromUnit", () => {
    // Mean of sum(x_d^2) + prod(x_d) over [0, 1]^5 from 64 points: 5/3 + 1/32. A scrambled net's error
    // falls much faster than random sampling's; biased scrambling, a shifted point index or a broken
    // mapping would show here.
    const exact = 5 / 3 + 1 / 32;
    const f = (x: number[]) => x.reduce((a, v) => a + v * v, 0) + x.reduce((a, v) => a * v, 1);
    const squaredError = (type: string) => {
      let total = 0;
      let signed = 0;
      for (let seed = 0; seed < 32; seed++) {
        const xs = asVectors(points(type, unitSpace(5), 64, seed), 5);
        const estimate = xs.reduce((a, x) => a + f(x), 0) / xs.length;
        total += (estimate - exact) ** 2;
        signed += estimate - exact;
      }
      return { mse: total / 32, bias: signed / 32 };
    };
    const qmc = squaredError("QMC");
    const random = squaredError("RANDOM");
    expect(qmc.mse).toBeLessThan(random.mse / 20);
    expect(Math.abs(qmc.bias)).toBeLessThan(3 * Math.sqrt(qmc.mse / 32) + 1e-9);
  });

  it("finds a minimum of a smooth function at least as well as RANDOM on average over seeds", () => {
    // Branin on its usual box, 64 trials, 100 seeds.
    const space = parseSearchSpace([
      { name: "x0", type: "FLOAT", low: -5, high: 10 },
      { name: "x1", type: "FLOAT", low: 0, high: 15 },
    ]);
    const branin = (p: Record<string, JsonValue>) => {
      const x = p.x0 as number;
      const y = p.x1 as number;
      return (y - (5.1 / (4 * Math.PI ** 2)) * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
    };
    const meanBest = (type: string) => {
      let total = 0;
      for (let seed = 0; seed < 100; seed++) total += Math.min(...points(type, space, 64, seed).map(branin));
      return total / 100;
    };
    expect(meanBest("QMC")).toBeLessThanOrEqual(meanBest("RANDOM"));
  });

  it("maps onto log, integer, stepped and categorical parameters inside their bounds, categoricals evenly", () => {
    const space = parseSearchSpace([
      { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
      { name: "units", type: "INT", low: 16, high: 512, log: true },
      { name: "layers", type: "INT", low: 1, high: 7, step: 2 },
      { name: "dropout", type: "FLOAT", low: 0, high: 0.5, step: 0.1 },
      { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
      { name: "momentum", type: "FLOAT", low: 0.5, high: 0.99, condition: { param: "opt", values: ["sgd"] } },
    ]);
    const ps = points("QMC", space, 96, 4);
    const counts: Record<string, number> = {};
    let smallLr = 0;
    for (const p of ps) {
      for (const spec of space) if (spec.name in p) expect(containsValue(spec, p[spec.name])).toBe(true);
      expect("momentum" in p).toBe(p.opt === "sgd");
      counts[p.opt as string] = (counts[p.opt as string] ?? 0) + 1;
      if ((p.lr as number) < 1e-3) smallLr++;
    }
    for (const c of ["adam", "sgd", "rmsprop"]) expect(Math.abs(counts[c] - 32)).toBeLessThanOrEqual(2);
    // Log scale: 2 of the 5 decades lie below 1e-3.
    expect(Math.abs(smallLr - (96 * 2) / 5)).toBeLessThanOrEqual(3);
  });
});
