import { Rng } from "../server/src/optimization/random";
import type { JsonValue, ParamSpec } from "../server/src/optimization/types";
import { H_A, H_ALPHA, H_P } from "./functions";

/**
 * Multi-fidelity test problems for the pruning benchmark: a value for every step (fidelity)
 * 1..maxStep, biased and noisy at low fidelity, exact at maxStep, with a known optimum there.
 */
export interface MultiFidelityFunction {
  name: string;
  space: ParamSpec[];
  maxStep: number;
  /** The global minimum at full fidelity (regret = value at maxStep - optimum). */
  optimum: number;
  /** The value a trial reports at `step`; `noise` is the trial's own stream (one draw per step). */
  evaluate(params: Record<string, JsonValue>, step: number, noise: Rng): number;
  /** The noise-free value at full fidelity. */
  exact(params: Record<string, JsonValue>): number;
}

const ALPHA = H_ALPHA;
const A = H_A;
const P = H_P;

/**
 * MF-Hartmann6 as in mf-prior-bench (Kandasamy et al. 2017's construction): at fidelity z the
 * weights of the four Hartmann basins are alpha - bias * (1 - t), with t = log z / log maxStep, so
 * low fidelities flatten (and with a large bias reorder) the basins; half-normal noise of scale
 * noise * (1 - t) is added. At z = maxStep the function is the exact Hartmann6 (minimum -3.32237).
 * Its default is bias 0.5 / noise 0.1; its presets for worse rank correlation across fidelities are
 * "good" 2.5 / 2, "moderate" 3 / 3, "bad" 3.5 / 4, "terrible" 4 / 5.
 */
export function mfHartmann6(bias: number, noise: number, maxStep = 100): MultiFidelityFunction {
  const space: ParamSpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low: 0, high: 1, log: false, step: null }));
  const logMax = Math.log(maxStep);
  const hartmann = (p: Record<string, JsonValue>, shrink: number) => {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += A[i][j] * ((p[`x${j}`] as number) - P[i][j]) ** 2;
      sum += (ALPHA[i] - bias * shrink) * Math.exp(-inner);
    }
    return -sum;
  };
  return {
    name: `mf-hartmann6(bias ${bias}, noise ${noise})`,
    space,
    maxStep,
    optimum: -3.32236801141551,
    evaluate(p, step, rng) {
      const shrink = 1 - Math.log(step) / logMax;
      return hartmann(p, shrink) + Math.abs(rng.normal()) * noise * shrink;
    },
    exact: (p) => hartmann(p, 0),
  };
}

/** [bias, noise]: mf-prior-bench's default for MFHartmann6 and its correlation presets. */
export const MF_HARTMANN6_PRESETS: Record<string, [number, number]> = {
  default: [0.5, 0.1],
  good: [2.5, 2],
  moderate: [3, 3],
  bad: [3.5, 4],
  terrible: [4, 5],
};
