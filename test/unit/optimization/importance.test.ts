import { describe, expect, it } from "vitest";
import { fanovaImportances, paramImportances, pedAnovaImportances, type ImportanceInput, type ImportanceMethod, type ImportanceTrial, type ParamImportance } from "../../../server/src/optimization/importance";
import { cellProbabilities } from "../../../server/src/optimization/importance/scottParzenEstimator";
import { Rng } from "../../../server/src/optimization/random";
import { sampleUniform } from "../../../server/src/optimization/space";
import type { Direction, JsonValue, ParamSpec } from "../../../server/src/optimization/types";

const METHODS: ImportanceMethod[] = ["PED_ANOVA", "FANOVA"];
const SEEDS = [1, 2, 3, 4, 5];

const float = (name: string, low = 0, high = 1, log = false): ParamSpec => ({ name, type: "FLOAT", low, high, log, step: null });

/** Random-search trials of `f` over `specs` (conditional specs only where their condition holds). */
function study(specs: ParamSpec[], f: (p: Record<string, any>, rng: Rng) => number, n: number, seed: number, direction: Direction = "MINIMIZE"): ImportanceInput {
  const rng = new Rng(seed);
  const trials: ImportanceTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params: Record<string, JsonValue> = {};
    for (const s of specs) {
      if (s.condition && !s.condition.values.some((v) => JSON.stringify(v) === JSON.stringify(params[s.condition!.param]))) continue;
      params[s.name] = sampleUniform(s, rng);
    }
    trials.push({ params, value: f(params, rng) });
  }
  return { specs, trials, direction };
}

const share = (result: ParamImportance[], name: string) => result.find((r) => r.name === name)!.importance;

function expectShares(result: ParamImportance[], specs: ParamSpec[]) {
  expect(result.map((r) => r.name).sort()).toEqual(specs.map((s) => s.name).sort());
  expect(result.reduce((a, r) => a + r.importance, 0)).toBeCloseTo(1, 10);
  for (let i = 1; i < result.length; i++) expect(result[i - 1].importance).toBeGreaterThanOrEqual(result[i].importance);
  for (const r of result) expect(r.importance).toBeGreaterThanOrEqual(0);
}

describe.each(METHODS)("%s importance", (method) => {
  const rate = (input: ImportanceInput) => paramImportances(method, input);

  it("ranks the dominant parameter first with a large share, and an unused one low, over several seeds", () => {
    const specs = [float("y"), float("x"), float("unused")];
    for (const seed of SEEDS) {
      const input = study(specs, (p, rng) => 10 * (p.x - 0.5) ** 2 + 0.1 * p.y + 0.05 * rng.normal(), 200, seed);
      const result = rate(input);
      expectShares(result, specs);
      expect(result[0].name, `seed ${seed}`).toBe("x");
      expect(share(result, "x"), `seed ${seed}`).toBeGreaterThan(0.85);
      expect(share(result, "unused"), `seed ${seed}`).toBeLessThan(0.05);
    }
  });

  it("rates a log-scaled float on its log scale, and stepped and integer parameters", () => {
    const specs: ParamSpec[] = [
      { name: "dropout", type: "FLOAT", low: 0, high: 0.5, log: false, step: 0.1 },
      float("lr", 1e-5, 1e-1, true),
      { name: "units", type: "INT", low: 1, high: 512, log: true, step: 1 },
      { name: "layers", type: "INT", low: 1, high: 8, log: false, step: 1 },
    ];
    for (const seed of SEEDS) {
      // The optimum lies in the middle decades of lr: on a linear scale nearly every trial would sit in the top decade.
      const f = (p: Record<string, number>, rng: Rng) => (Math.log10(p.lr) + 3) ** 2 + 0.1 * Math.abs(Math.log2(p.units) - 5) + 0.05 * rng.normal();
      const result = rate(study(specs, f, 300, seed));
      expectShares(result, specs);
      expect(result.slice(0, 2).map((r) => r.name), `seed ${seed}`).toEqual(["lr", "units"]);
      expect(share(result, "dropout") + share(result, "layers"), `seed ${seed}`).toBeLessThan(0.25);
    }
  });

  it("rates a log-scaled parameter as its logarithm on a linear scale", () => {
    const logScaled = study([float("lr", 1e-5, 1e-1, true), float("x")], (p, rng) => (Math.log10(p.lr) + 4) ** 2 + 2 * p.x + 0.05 * rng.normal(), 200, 11);
    const asLog10: ImportanceInput = {
      ...logScaled,
      specs: [float("lr", -5, -1), float("x")],
      trials: logScaled.trials.map((t) => ({ ...t, params: { ...t.params, lr: Math.log10(t.params.lr as number) } })),
    };
    const a = rate(logScaled);
    const b = rate(asLog10);
    expect(a.map((r) => r.name)).toEqual(b.map((r) => r.name));
    for (let i = 0; i < a.length; i++) expect(a[i].importance).toBeCloseTo(b[i].importance, 6);
  });

  it("rates a categorical parameter by its choices", () => {
    const specs: ParamSpec[] = [float("x"), { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop", 3] }];
    const offset: Record<string, number> = { adam: 0, sgd: 3, rmsprop: 1, 3: 2 };
    for (const seed of SEEDS) {
      const result = rate(study(specs, (p, rng) => offset[String(p.optimizer)] + 0.3 * p.x + 0.05 * rng.normal(), 150, seed));
      expectShares(result, specs);
      expect(result[0].name, `seed ${seed}`).toBe("optimizer");
      expect(share(result, "optimizer"), `seed ${seed}`).toBeGreaterThan(0.5);
    }
  });

  it("rates a conditional parameter that matters where it exists above one that never matters", () => {
    const specs: ParamSpec[] = [
      { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd"] },
      { ...float("momentum"), condition: { param: "optimizer", values: ["sgd"] } },
      float("unused"),
    ];
    for (const seed of SEEDS) {
      const f = (p: Record<string, any>, rng: Rng) => (p.optimizer === "sgd" ? 5 * (p.momentum - 0.9) ** 2 : 1) + 0.02 * rng.normal();
      const input = study(specs, f, 300, seed);
      expect(input.trials.some((t) => !("momentum" in t.params))).toBe(true);
      const result = rate(input);
      expectShares(result, specs);
      expect(share(result, "momentum"), `seed ${seed}`).toBeGreaterThan(share(result, "unused"));
      expect(result.at(-1)!.name, `seed ${seed}`).toBe("unused");
    }
  });

  it("is deterministic: the same trials give the same answer", () => {
    const specs = [float("x"), float("y")];
    const input = study(specs, (p) => p.x + p.y * p.y, 120, 9);
    expect(rate(input)).toEqual(rate(structuredClone(input)));
  });

  it("gives an empty list below 2 finite trials and 0 to a parameter with one value", () => {
    const specs: ParamSpec[] = [float("x"), { name: "fixed", type: "INT", low: 3, high: 3, log: false, step: 1 }, { name: "one", type: "CATEGORICAL", choices: ["a"] }];
    expect(rate({ specs, direction: "MINIMIZE", trials: [] })).toEqual([]);
    expect(rate({ specs, direction: "MINIMIZE", trials: [{ params: { x: 0.5, fixed: 3, one: "a" }, value: 1 }, { params: { x: 0.1, fixed: 3, one: "a" }, value: NaN }] })).toEqual([]);
    const input = study(specs, (p) => p.x, 50, 3);
    const result = rate(input);
    expect(result).toEqual([
      { name: "x", importance: 1 },
      { name: "fixed", importance: 0 },
      { name: "one", importance: 0 },
    ]);
  });

  it("shares equally when the objective is constant", () => {
    const specs = [float("a"), float("b"), float("c"), float("d")];
    const result = rate(study(specs, () => 7, 60, 4));
    for (const r of result) expect(r.importance).toBeCloseTo(0.25, 12);
  });

  it("ignores trials with a non-finite value", () => {
    const specs = [float("x"), float("y")];
    const input = study(specs, (p) => 10 * (p.x - 0.5) ** 2, 150, 5);
    const noisy = { ...input, trials: [...input.trials, ...input.trials.slice(0, 40).map((t) => ({ params: { x: 0.5, y: t.params.y }, value: NaN }))] };
    expect(rate(noisy)).toEqual(rate(input));
  });
});

describe("PED-ANOVA", () => {
  // Minimising, the best trials are those with x near 0; maximising, those with y near 1.
  const specs = [float("x"), float("y")];
  const f = (p: Record<string, number>) => -10 * Math.max(0, 0.2 - p.x) + 10 * Math.max(0, p.y - 0.8);

  it("rates what sets the best trials apart, so the direction matters", () => {
    for (const seed of SEEDS) {
      expect(pedAnovaImportances(study(specs, f, 300, seed, "MINIMIZE"))[0].name).toBe("x");
      expect(pedAnovaImportances(study(specs, f, 300, seed, "MAXIMIZE"))[0].name).toBe("y");
    }
  });

  it("can compare the top trials with the whole declared range instead of the trials run", () => {
    // A sampler that never left x < 0.5: locally x hardly varies, against the declared range it is everything.
    const local = study(specs, (p) => 10 * (p.x - 0.2) ** 2 + p.y, 200, 6);
    for (const t of local.trials) t.params.x = (t.params.x as number) / 2;
    expect(pedAnovaImportances(local, { evaluateOnLocal: false })[0].name).toBe("x");
  });

  it("estimates a proper distribution over the grid cells", () => {
    for (const categorical of [false, true]) {
      const p = cellProbabilities([0, 3, 0, 0, 1, 7, 0], categorical, 1);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const v of p) expect(v).toBeGreaterThan(0);
      expect(p[5]).toBe(Math.max(...p));
    }
  });
});

describe("fANOVA", () => {
  it("gives a different but agreeing answer for another seed", () => {
    const specs = [float("x"), float("y"), float("z")];
    const input = study(specs, (p) => 4 * p.x + 2 * p.y * p.y, 200, 7);
    const a = fanovaImportances(input, { seed: 1 });
    const b = fanovaImportances(input, { seed: 2 });
    expect(a).not.toEqual(b);
    expect(a.map((r) => r.name)).toEqual(["x", "y", "z"]);
    expect(b.map((r) => r.name)).toEqual(["x", "y", "z"]);
  });

  it("splits the variance of an additive function like its terms' variances", () => {
    // Var(3x) = 9/12 and Var(y) = 1/12 for uniform x, y: shares near 0.9 and 0.1.
    const result = fanovaImportances(study([float("x"), float("y")], (p) => 3 * p.x + p.y, 1000, 8));
    expect(share(result, "x")).toBeGreaterThan(0.8);
    expect(share(result, "x")).toBeLessThan(0.97);
  });
});
