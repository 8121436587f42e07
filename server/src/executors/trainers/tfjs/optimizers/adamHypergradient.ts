import type { Tensor, Variable } from "@tensorflow/tfjs";
import { AdamBase } from "./adam";
import { cosine, type Optimizer } from "./optimizer";

/**
 * Adam with hypergradient descent (Baydin et al. 2018): the learning rate follows the agreement
 * of this step's gradient with the previous step's Adam direction u_{t-1}, in the multiplicative,
 * normalised form lr *= 1 + hypergradientRate * cos(g_t, u_{t-1}) (see sgdHypergradient.ts).
 */
export class AdamHypergradient extends AdamBase implements Optimizer {
  readonly name = "adam-hd" as const;
  private readonly previous: Variable[] = this.slots();
  private readonly rate = this.constant(this.options.hypergradientRate);
  private started = false;

  step(gradients: Tensor[]): void {
    const g = gradients.map((x, i) => this.withL2(x, i));
    if (this.started) this.lr.assign(this.lr.mul(cosine(this.tf, g, this.previous).mul(this.rate).add(1)));
    this.started = true;
    const { directions, scale } = this.adamDirections(g);
    const lr = this.lr.mul(scale);
    this.variables.forEach((w, i) => {
      w.assign(w.sub(directions[i].mul(lr)));
      this.previous[i].assign(directions[i]);
    });
  }
}
