/**
 * The GP sampler's joint multi-fidelity model (MOBSTER, Klein et al. 2020): one GP over the
 * parameters plus the budget, fitted to every trial's values at every rung it reached, and new
 * trials chosen by expected improvement at the target budget (the largest with enough values).
 * The kernel's length scale along the budget says how much low rungs tell about high ones, so the
 * many trials stopped early inform the model as far as the data says they should.
 */
import type { FidelityData } from "../../multiFidelity/fidelityObservations";
import { fidelityCoordinate } from "../../multiFidelity/fidelityObservations";
import type { Direction } from "../../types";
import type { Acquisition } from "./logEiAcquisition";
import type { SearchSpaceEncoding } from "./searchSpaceEncoding";

/**
 * What the GP is fitted to: encoded rows, scores (larger is better) and, when joint, the target
 * budget's coordinate and the trials observed at some budget (running ones included).
 */
export interface ModelData {
  rows: Float64Array[];
  ys: number[];
  target: { coordinate: number; observed: ReadonlySet<number> } | null;
}

/** `x` with one more coordinate, `value`, at the end. */
export function withCoordinate(x: Float64Array, value: number): Float64Array {
  const out = new Float64Array(x.length + 1);
  out.set(x);
  out[x.length] = value;
  return out;
}

/**
 * Rows (parameters, budget coordinate) and scores of the observations. Past `cap` rows, the
 * observations at and above the target budget are all kept and the lower ones most recent first.
 */
export function jointModelData(data: FidelityData, direction: Direction, encoding: SearchSpaceEncoding, cap: number): ModelData {
  const sign = direction === "MAXIMIZE" ? 1 : -1;
  const usable = data.observations.filter((o) => !Number.isNaN(o.value));
  const ordered = usable.length <= cap ? usable : prioritise(usable, data.targetStep).slice(0, cap);
  const finite = ordered.map((o) => sign * o.value).filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 0;
  const scores = ordered.map((o) => {
    const score = sign * o.value;
    return Number.isFinite(score) ? score : score > 0 ? hi : lo;
  });
  const offsets = budgetOffsets(ordered, scores);
  const rows: Float64Array[] = [];
  const ys: number[] = [];
  ordered.forEach((o, i) => {
    const x = encoding.encode(o.trial.params);
    if (!x) return;
    rows.push(withCoordinate(x, fidelityCoordinate(o.step, data.maxStep)));
    ys.push(scores[i] - offsets.get(o.step)!);
  });
  const observed = new Set(data.observations.map((o) => o.trial.number));
  return { rows, ys, target: { coordinate: fidelityCoordinate(data.targetStep, data.maxStep), observed } };
}

/**
 * How much better a trial scores at each budget than at the smallest one, on average: the mean
 * change between consecutive budgets over the trials seen at both, summed up the budgets. Taken
 * off the scores, it leaves the GP the differences between configurations, which are what carry
 * over from budget to budget; otherwise a learning curve's general fall looks like the budget
 * coordinate mattering on its own, and low budgets would say little about the target one.
 */
function budgetOffsets(observations: FidelityData["observations"], scores: number[]): Map<number, number> {
  const byStep = new Map<number, Map<number, number>>();
  observations.forEach((o, i) => {
    let atStep = byStep.get(o.step);
    if (!atStep) byStep.set(o.step, (atStep = new Map()));
    atStep.set(o.trial.number, scores[i]);
  });
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  const offsets = new Map<number, number>([[steps[0], 0]]);
  for (let k = 1; k < steps.length; k++) {
    const below = byStep.get(steps[k - 1])!;
    let sum = 0;
    let pairs = 0;
    for (const [trial, score] of byStep.get(steps[k])!) {
      const before = below.get(trial);
      if (before === undefined) continue;
      sum += score - before;
      pairs++;
    }
    offsets.set(steps[k], offsets.get(steps[k - 1])! + (pairs ? sum / pairs : 0));
  }
  return offsets;
}

function prioritise(observations: FidelityData["observations"], targetStep: number): FidelityData["observations"] {
  const high = observations.filter((o) => o.step >= targetStep);
  const low = observations.filter((o) => o.step < targetStep).sort((a, b) => b.trial.number - a.trial.number);
  return [...high, ...low];
}

/** An acquisition over the parameters alone: `inner`'s, with the last (budget) coordinate held at `value`. */
export class AtFixedLastCoordinate implements Acquisition {
  private readonly point: Float64Array;
  private readonly grad: Float64Array;

  constructor(
    private readonly inner: Acquisition,
    private readonly d: number,
    value: number,
  ) {
    this.point = new Float64Array(d + 1);
    this.point[d] = value;
    this.grad = new Float64Array(d + 1);
  }

  value(x: Float64Array): number {
    this.point.set(x.subarray(0, this.d));
    return this.inner.value(this.point);
  }

  valueAndGradient(x: Float64Array, grad: Float64Array): number {
    this.point.set(x.subarray(0, this.d));
    const v = this.inner.valueAndGradient(this.point, this.grad);
    grad.set(this.grad.subarray(0, this.d));
    return v;
  }
}
