import type { Tensor, Variable } from "@tensorflow/tfjs";
import { OptimizerBase, type Optimizer } from "./optimizer";

/** Heavy-ball momentum as PyTorch's SGD writes it: v = mu * v + g; w -= lr * v. */
export class Momentum extends OptimizerBase implements Optimizer {
  readonly name = "momentum" as const;
  private readonly velocity: Variable[] = this.slots();
  private readonly mu = this.constant(this.options.momentum);

  step(gradients: Tensor[]): void {
    this.variables.forEach((w, i) => {
      const v = this.velocity[i];
      v.assign(v.mul(this.mu).add(this.withL2(gradients[i], i)));
      w.assign(w.sub(v.mul(this.lr)));
    });
  }
}
