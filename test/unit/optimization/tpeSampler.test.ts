import { describe, expect, it } from "vitest";
import { containsValue, createSampler, parseSearchSpace } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, Sampler, StudyView, TrialState, TrialView } from "../../../server/src/optimization";
import { splitObservations } from "../../../server/src/optimization/samplers/tpe/split";
import { dominates, leadingFronts } from "../../../server/src/optimization/samplers/tpe/fronts";
import { hypervolume } from "../../../server/src/optimization/samplers/tpe/hypervolume";
import { neighbourBandwidths } from "../../../server/src/optimization/samplers/tpe/bandwidths";
import { type KernelDimension, MixtureWeights, ParzenEstimator, type ParzenOptions } from "../../../server/src/optimization/samplers/tpe/parzenEstimator";
import { defaultWeights } from "../../../server/src/optimization/samplers/tpe/weights";
import { Rng } from "../../../server/src/optimization/random";

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

  it("two objectives at 10,000 trials: the good group comes from the leading fronts, in well under the old 6 s", () => {
    const space = quadSpace;
    const rng = new Rng(3);
    const trials: TrialView[] = [];
    for (let n = 0; n < 10000; n++) {
      const p = { x: rng.uniform(-10, 10), y: rng.uniform(-10, 10), n: rng.int(-20, 20) };
      trials.push(view(n, p, space, "COMPLETE", [quad(p), (p.x - 5) ** 2 + rng.random()]));
    }
    const study: StudyView = { directions: ["MINIMIZE", "MINIMIZE"], searchSpace: space, trials };
    const start = performance.now();
    const split = splitObservations(study, { gamma: (k) => Math.min(Math.ceil(0.1 * k), 25), constantLiar: true });
    const q = createSampler({ type: "TPE", seed: 1, options: {} }).sampleRelative({ study, trialNumber: 10000, state: null }).params;
    expect(performance.now() - start).toBeLessThan(3000);
    for (const spec of space) expect(containsValue(spec, q[spec.name])).toBe(true);
    // 25 good trials, none of them dominated by a trial outside the group.
    const good = split.trials.filter((_, i) => split.below[i]).map((t) => t.values!);
    const rest = split.trials.filter((_, i) => !split.below[i]).map((t) => t.values!);
    expect(good.length).toBe(25);
    const firstFront = leadingFronts(trials.map((t) => t.values!), 1)[0];
    if (firstFront.length >= 25) for (const g of good) expect(firstFront.some((i) => trials[i].values!.every((v, k) => v === g[k]))).toBe(true);
    // Whatever dominates a good trial lies on an earlier front, which the good group holds whole.
    for (const g of good) expect(rest.some((r) => dominates(r, g))).toBe(false);
  });

  it("sorts fronts as brute-force non-dominated sorting does, ties and duplicates included, in two and three objectives", () => {
    const bruteForce = (vs: number[][]) => {
      const rank = new Array<number>(vs.length).fill(-1);
      let left = vs.map((_, i) => i);
      const fronts: number[][] = [];
      while (left.length > 0) {
        const front = left.filter((i) => !left.some((j) => dominates(vs[j], vs[i])));
        front.forEach((i) => (rank[i] = fronts.length));
        fronts.push(front);
        left = left.filter((i) => rank[i] < 0);
      }
      return fronts;
    };
    const rng = new Rng(9);
    for (const m of [2, 3]) {
      for (let round = 0; round < 20; round++) {
        // Coarse values make ties and duplicates common; a NaN counts as the worst value.
        const vs = Array.from({ length: 60 }, () => Array.from({ length: m }, () => (rng.random() < 0.02 ? NaN : rng.int(0, 6))));
        const clean = vs.map((v) => v.map((x) => (Number.isNaN(x) ? Infinity : x)));
        const expected = bruteForce(clean);
        expect(leadingFronts(vs, Infinity)).toEqual(expected);
        const needed = 1 + rng.int(0, 30);
        const some = leadingFronts(vs, needed);
        let before = 0;
        for (let f = 0; f < some.length - 1; f++) before += some[f].length;
        expect(before).toBeLessThan(needed);
        expect(before + some[some.length - 1].length).toBeGreaterThanOrEqual(Math.min(needed, vs.length));
        expect(some).toEqual(expected.slice(0, some.length));
      }
    }
  });

  it("fills the good group from a long last front as plain greedy hypervolume selection does", () => {
    const rng = new Rng(21);
    for (const m of [2, 3]) {
      for (let round = 0; round < 4; round++) {
        // One front: points on the plane (or line) where the objectives sum to a constant.
        const vectors = Array.from({ length: 120 }, () => {
          const u = Array.from({ length: m - 1 }, () => rng.random());
          return [...u, m - 1 - u.reduce((a, b) => a + b, 0)];
        });
        const trials = vectors.map((v, i) => view(i, { x: 0, y: 0, n: 0 }, quadSpace, "COMPLETE", v));
        const split = splitObservations({ directions: vectors[0].map(() => "MINIMIZE" as const), searchSpace: quadSpace, trials }, { gamma: () => 12, constantLiar: false });
        const ref = vectors[0].map((_, k) => {
          const worst = Math.max(...vectors.map((v) => v[k]));
          return Math.max(1.1 * worst, 0.9 * worst);
        });
        const picked: number[][] = [];
        const left = vectors.map((_, i) => i);
        const expected: number[] = [];
        while (expected.length < 12) {
          const base = hypervolume(picked, ref);
          let best = 0;
          left.forEach((i, k) => {
            if (hypervolume([...picked, vectors[i]], ref) - base > hypervolume([...picked, vectors[left[best]]], ref) - base) best = k;
          });
          const [i] = left.splice(best, 1);
          picked.push(vectors[i]);
          expected.push(i);
        }
        expect(split.trials.filter((_, i) => split.below[i]).map((t) => t.number)).toEqual(expected.sort((a, b) => a - b));
      }
    }
  });

  it("gives each kernel the larger gap to its sorted neighbours, equal values in input order, as a stable sort would", () => {
    const reference = (mus: Float64Array, low: number, high: number, considerEndpoints: boolean) => {
      const order = Array.from(mus, (_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
      const sorted = [low, ...order.map((i) => mus[i]), high];
      const n = mus.length;
      const out = new Float64Array(n);
      order.forEach((i, k) => {
        let sigma = Math.max(sorted[k + 1] - sorted[k], sorted[k + 2] - sorted[k + 1]);
        if (!considerEndpoints && n >= 2 && k === 0) sigma = sorted[2] - sorted[1];
        if (!considerEndpoints && n >= 2 && k === n - 1) sigma = sorted[n] - sorted[n - 1];
        out[i] = sigma;
      });
      return out;
    };
    const rng = new Rng(4);
    for (const n of [1, 2, 3, 40, 300]) {
      for (const grid of [0, 7]) {
        // Continuous draws, or a 7-value grid with many ties; half of them packed in a narrow band.
        const mus = Float64Array.from({ length: n }, () => {
          const u = rng.random() < 0.5 ? 0.4 + 0.01 * rng.random() : rng.random();
          return grid ? Math.round(u * grid) / grid : u;
        });
        for (const considerEndpoints of [false, true]) {
          const out = new Float64Array(n);
          neighbourBandwidths(mus, 0, 1, considerEndpoints, out);
          expect(Array.from(out)).toEqual(Array.from(reference(mus, 0, 1, considerEndpoints)));
        }
      }
    }
  });

  it("scores a long univariate history by blocks exactly as the full mixture does", () => {
    const rng = new Rng(12);
    const options: ParzenOptions = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false, multivariate: false, bandwidthFactor: 0.2 };
    for (const n of [150, 1000]) {
      // Clustered observations, as TPE's history is, and a bounded, log-like range.
      const obs = Float64Array.from({ length: n }, () => (rng.random() < 0.7 ? 2 + 0.3 * rng.normal() : rng.uniform(-5, 5)));
      for (let i = 0; i < n; i++) obs[i] = Math.min(5, Math.max(-5, obs[i]));
      const mixture = new MixtureWeights(defaultWeights(n), 1);
      const numeric: KernelDimension = { kind: "numeric", low: -5, high: 5, step: null };
      // The same model with a one-choice categorical added (its terms are log 1 = 0) takes the unblocked path.
      const blocked = new ParzenEstimator([numeric], [obs], mixture, options);
      const full = new ParzenEstimator([numeric, { kind: "categorical", choices: 1 }], [obs, new Float64Array(n)], mixture, options);
      const candidates = Float64Array.from({ length: 200 }, () => rng.uniform(-5, 5));
      const a = new Float64Array(200);
      const b = new Float64Array(200);
      blocked.logPdf([candidates], 200, a);
      full.logPdf([candidates, new Float64Array(200)], 200, b);
      for (let c = 0; c < 200; c++) expect(a[c]).toBeCloseTo(b[c], 10);
    }
  });

  it("merges a categorical's identical kernels without changing its density", () => {
    const k = 4;
    const observed = Float64Array.from([0, 2, 2, 3, 2, 0, 1, 2, 2, 3, 0, 2, 2, 1, 2, 2, 0, 3, 2, 2, 1, 2, 2, 0, 2, 3, 2, 2, 1, 0]);
    const n = observed.length;
    const obsWeights = defaultWeights(n);
    const options: ParzenOptions = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false, multivariate: false, bandwidthFactor: 0.2 };
    const estimator = new ParzenEstimator([{ kind: "categorical", choices: k }], [observed], new MixtureWeights(obsWeights, 1), options);
    const out = new Float64Array(k);
    estimator.logPdf([Float64Array.from([0, 1, 2, 3])], k, out);
    // Optuna's kernel: each observation's one-hot row plus priorWeight / (n + 1) everywhere,
    // normalised; the prior component uniform; components weighted by obsWeights and 1.
    const base = 1 / (n + 1);
    const total = obsWeights.reduce((a, w) => a + w, 0) + 1;
    for (let x = 0; x < k; x++) {
      let density = 1 / k / total;
      for (let i = 0; i < n; i++) density += ((obsWeights[i] / total) * ((observed[i] === x ? 1 : 0) + base)) / (1 + k * base);
      expect(out[x]).toBeCloseTo(Math.log(density), 12);
    }
  });

  it("ignores values drawn from another distribution of the same name, or outside the space", () => {
    const spec: ParamSpec = { name: "x", type: "FLOAT", low: 0, high: 100, log: false, step: null };
    const other: ParamSpec = { ...spec, high: 50 };
    const trials: TrialView[] = [];
    const rng = new Rng(2);
    for (let n = 0; n < 60; n++) {
      // Trials from the declared distribution (stored copies of it) are best near 70. Look-alikes
      // from another range sit near 10 and rank just after the best few, so they would fill most of
      // the good group were they read; values outside the range rank last.
      const x = rng.uniform(0, 100);
      trials.push(view(n, { x }, [JSON.parse(JSON.stringify(spec)) as ParamSpec], "COMPLETE", [Math.abs(x - 70)]));
      if (n % 2 === 0) trials.push(view(1000 + n, { x: 10 + rng.random() }, [other], "COMPLETE", [3 + rng.random()]));
      if (n % 6 === 0) trials.push(view(2000 + n, { x: 150 }, [spec], "COMPLETE", [50]));
    }
    const study: StudyView = { directions: ["MINIMIZE"], searchSpace: [spec], trials };
    const picks = Array.from({ length: 20 }, (_, seed) => createSampler({ type: "TPE", seed, options: {} }).sampleRelative({ study, trialNumber: 5000, state: null }).params.x as number);
    expect(median(picks.map((x) => Math.abs(x - 70)))).toBeLessThan(10);
  });
});

