import type { GaussianProcess } from "./gaussianProcess";
import { logExpectedImprovement } from "./logExpectedImprovement";

/** An acquisition function to maximise over canonical vectors. */
export interface Acquisition {
  value(x: Float64Array): number;
  /** The value, writing the gradient into `grad` (zero for coordinates without one). */
  valueAndGradient(x: Float64Array, grad: Float64Array): number;
}

/** log EI of a GP posterior over the best (standardised, maximised) observation. */
export class LogEiAcquisition implements Acquisition {
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;

  constructor(
    private readonly gp: GaussianProcess,
    private readonly best: number,
  ) {
    this.dMean = new Float64Array(gp.d);
    this.dVar = new Float64Array(gp.d);
  }

  value(x: Float64Array): number {
    const { mean, variance } = this.gp.predict(x);
    return logExpectedImprovement(mean, Math.sqrt(variance), this.best).value;
  }

  valueAndGradient(x: Float64Array, grad: Float64Array): number {
    const { mean, variance } = this.gp.predictWithGradient(x, this.dMean, this.dVar);
    const sigma = Math.sqrt(variance);
    const ei = logExpectedImprovement(mean, sigma, this.best);
    for (let c = 0; c < grad.length; c++) grad[c] = ei.dMu * this.dMean[c] + (ei.dSigma * this.dVar[c]) / (2 * sigma);
    return ei.value;
  }
}
