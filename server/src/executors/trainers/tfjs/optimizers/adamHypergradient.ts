import type { Tensor, Variable } from "@tensorflow/tfjs";
import { AdamMoments } from "./adam";
import { cosine, OptimizerBase, type Optimizer } from "./optimizer";

/**
 * Adam with hypergradient descent (Baydin et al. 2018): the learning rate follows the agreement
 * of this step's gradient with the previous step's Adam direction u_{t-1}, in the multiplicative,
 * normalised form lr *= 1 + hypergradientRate * cos(g_t, u_{t-1}) (see sgdHypergradient.ts).
 */
export class AdamHypergradient extends OptimizerBase implements Optimizer {
  readonly name = "adam-hd" as const;
  private moments = new AdamMoments(this.tf, this.slots(), this.slots());
  private previous: Variable[] = this.slots();
  private started = false;

  step(gradients: Tensor[]): void {
    const g = gradients.map((x, i) => this.withL2(x, i));
    if (this.started) {
      const agreement = cosine(this.tf, g, this.previous);
      this.lr.assign(this.lr.mul(agreement.mul(this.options.hypergradientRate).add(1)));
    }
    this.started = true;
    const directions = this.moments.direction(g);
    this.variables.forEach((w, i) => {
      w.assign(w.sub(directions[i].mul(this.lr)));
      this.previous[i].assign(directions[i]);
    });
  }
}
