import { describe, expect, it } from "vitest";
import { containsValue, createSampler, parseSearchSpace } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, StudyView } from "../../../server/src/optimization";

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
