import type { Tensor } from "@tensorflow/tfjs";
import { OptimizerBase, type Optimizer } from "./optimizer";

/** Plain stochastic gradient descent: w -= lr * g. */
export class Sgd extends OptimizerBase implements Optimizer {
  readonly name = "sgd" as const;

  step(gradients: Tensor[]): void {
    this.variables.forEach((v, i) => v.assign(v.sub(this.withL2(gradients[i], i).mul(this.lr))));
  }
}
