import type { JsonValue, ParamSpec } from "../server/src/optimization/types";

/** A minimisation test problem with a known optimum. */
export interface BenchFunction {
  name: string;
  space: ParamSpec[];
  /** The global minimum's value (regret = best value - optimum). */
  optimum: number;
  evaluate(params: Record<string, JsonValue>): number;
}

function floats(names: string[], low: number, high: number): ParamSpec[] {
  return names.map((name) => ({ name, type: "FLOAT", low, high, log: false, step: null }));
}

function vector(params: Record<string, JsonValue>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => params[`x${i}`] as number);
}

const xs = (n: number) => Array.from({ length: n }, (_, i) => `x${i}`);

export const branin: BenchFunction = {
  name: "branin",
  space: [
    { name: "x0", type: "FLOAT", low: -5, high: 10, log: false, step: null },
    { name: "x1", type: "FLOAT", low: 0, high: 15, log: false, step: null },
  ],
  optimum: 0.397887357729738,
  evaluate(p) {
    const x1 = p.x0 as number;
    const x2 = p.x1 as number;
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

/** Hartmann6 constants (Dixon & Szegoe 1978), shared with the multi-fidelity variant. */
export const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
export const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
export const H_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

export const hartmann6: BenchFunction = {
  name: "hartmann6",
  space: floats(xs(6), 0, 1),
  optimum: -3.32236801141551,
  evaluate(p) {
    const x = vector(p, 6);
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i][j] * (x[j] - H_P[i][j]) ** 2;
      total += H_ALPHA[i] * Math.exp(-inner);
    }
    return -total;
  },
};

export const rosenbrock4: BenchFunction = {
  name: "rosenbrock4",
  space: floats(xs(4), -5, 10),
  optimum: 0,
  evaluate(p) {
    const x = vector(p, 4);
    let total = 0;
    for (let i = 0; i < 3; i++) total += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
    return total;
  },
};

export const ackley5: BenchFunction = {
  name: "ackley5",
  space: floats(xs(5), -32.768, 32.768),
  optimum: 0,
  evaluate(p) {
    const x = vector(p, 5);
    const n = x.length;
    let sq = 0;
    let cos = 0;
    for (const v of x) {
      sq += v * v;
      cos += Math.cos(2 * Math.PI * v);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / n)) - Math.exp(cos / n) + 20 + Math.E;
  },
};

export const styblinski5: BenchFunction = {
  name: "styblinski5",
  space: floats(xs(5), -5, 5),
  optimum: -39.16616570377142 * 5,
  evaluate(p) {
    const x = vector(p, 5);
    let total = 0;
    for (const v of x) total += v ** 4 - 16 * v * v + 5 * v;
    return total / 2;
  },
};

const LR_OPT: Record<string, number> = { adam: -3, rmsprop: -3.5, sgd: -1.5 };
const OPT_OFFSET: Record<string, number> = { adam: 0, rmsprop: 0.02, sgd: 0.05 };

/**
 * An HPO-shaped mixed space with interactions: the best learning rate depends on the optimizer,
 * the best dropout on the network's capacity (layers x log2 units), the best batch size on the
 * learning rate. Every penalty vanishes at adam, lr 1e-3, 3 x 128 units, dropout 0.24, batch 64,
 * where the "validation error" is 0.05.
 */
export const hpoMixed: BenchFunction = {
  name: "hpo_mixed",
  space: [
    { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true, step: null },
    { name: "layers", type: "INT", low: 1, high: 6, log: false, step: 1 },
    { name: "units", type: "INT", low: 16, high: 512, log: true, step: 1 },
    { name: "dropout", type: "FLOAT", low: 0, high: 0.6, log: false, step: null },
    { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
    { name: "batch_size", type: "INT", low: 16, high: 512, log: true, step: 1 },
  ],
  optimum: 0.05,
  evaluate(p) {
    const optimizer = p.optimizer as string;
    const lrGap = Math.log10(p.lr as number) - LR_OPT[optimizer];
    const capacity = (p.layers as number) * Math.log2(p.units as number);
    const bestDropout = 0.1 + 0.02 * (capacity - 14);
    const bsGap = Math.log2(p.batch_size as number) - 6 - 2 * lrGap;
    return (
      0.05 +
      OPT_OFFSET[optimizer] +
      0.03 * lrGap * lrGap +
      0.05 * ((capacity - 21) / 6) ** 2 +
      0.5 * ((p.dropout as number) - bestDropout) ** 2 +
      0.02 * bsGap * bsGap
    );
  },
};

/** Every benchmark function, in the order the benchmark prints them. */
export const benchFunctions: BenchFunction[] = [branin, hartmann6, rosenbrock4, ackley5, styblinski5, hpoMixed];
