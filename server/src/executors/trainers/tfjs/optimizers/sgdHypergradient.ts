import type { Tensor, Variable } from "@tensorflow/tfjs";
import { cosine, OptimizerBase, type Optimizer } from "./optimizer";

/**
 * SGD with hypergradient descent (Baydin et al. 2018, "Online learning rate adaptation with
 * hypergradient descent"). The derivative of the loss with respect to the learning rate is
 * -g_t . g_{t-1}; we use the paper's multiplicative, normalised form of the update,
 * lr *= 1 + hypergradientRate * cos(g_t, g_{t-1}), so that the rate is a relative change per step
 * whatever the model's size: the learning rate grows while successive gradients agree (steps too
 * short) and shrinks while they point against each other (overshooting).
 */
export class SgdHypergradient extends OptimizerBase implements Optimizer {
  readonly name = "sgd-hd" as const;
  private readonly previous: Variable[] = this.slots();
  private readonly rate = this.constant(this.options.hypergradientRate);
  private started = false;

  step(gradients: Tensor[]): void {
    const g = gradients.map((x, i) => this.withL2(x, i));
    if (this.started) this.lr.assign(this.lr.mul(cosine(this.tf, g, this.previous).mul(this.rate).add(1)));
    this.started = true;
    this.variables.forEach((w, i) => {
      w.assign(w.sub(g[i].mul(this.lr)));
      this.previous[i].assign(g[i]);
    });
  }
}
