import type { Tensor } from "@tensorflow/tfjs";
import { AdamMoments } from "./adam";
import { OptimizerBase, type Optimizer } from "./optimizer";

/**
 * AdamW (Loshchilov and Hutter 2019): Adam whose weight decay shrinks the weights directly,
 * w -= lr * (direction + weightDecay * w), instead of passing through the moments, where Adam's
 * normalisation would all but cancel it for weights with large gradients.
 */
export class AdamW extends OptimizerBase implements Optimizer {
  readonly name = "adamw" as const;
  private moments = new AdamMoments(this.tf, this.slots(), this.slots());

  step(gradients: Tensor[]): void {
    const directions = this.moments.direction(gradients);
    const { weightDecay, decays } = this.options;
    this.variables.forEach((w, i) => {
      const update = weightDecay > 0 && decays[i] ? directions[i].add(w.mul(weightDecay)) : directions[i];
      w.assign(w.sub(update.mul(this.lr)));
    });
  }
}
