import type { Tensor } from "@tensorflow/tfjs";
import { AdamBase } from "./adam";
import type { Optimizer } from "./optimizer";

/**
 * AdamW (Loshchilov and Hutter 2019): Adam whose weight decay shrinks the weights directly,
 * w -= lr * (adam's step + weightDecay * w), instead of passing through the moments, where Adam's
 * normalisation would all but cancel it for weights with large gradients.
 */
export class AdamW extends AdamBase implements Optimizer {
  readonly name = "adamw" as const;
  private readonly weightDecay = this.constant(this.options.weightDecay);

  step(gradients: Tensor[]): void {
    const { directions, scale } = this.adamDirections(gradients);
    const lr = this.lr.mul(scale);
    this.variables.forEach((w, i) => {
      const step = directions[i].mul(lr);
      // Decoupled decay follows the base learning rate, as in PyTorch's AdamW.
      const decayed = this.options.decays[i] && this.options.weightDecay > 0 ? step.add(w.mul(this.weightDecay).mul(this.lr)) : step;
      w.assign(w.sub(decayed));
    });
  }
}
