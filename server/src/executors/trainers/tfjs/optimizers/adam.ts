import type { Tensor } from "@tensorflow/tfjs";
import { OptimizerBase, type Optimizer } from "./optimizer";

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Adam's moments and step direction, shared by adam, adamw and adam-hd. The bias corrections are
 * folded into one scalar per step (Kingma and Ba 2015, end of section 2): lr * m^ / (sqrt(v^) + eps)
 * equals lr * scale * m / (sqrt(v) + eps * sqrt(1 - beta2^t)) with
 * scale = sqrt(1 - beta2^t) / (1 - beta1^t), which saves operations on every variable.
 */
export abstract class AdamBase extends OptimizerBase {
  private steps = 0;
  private readonly m = this.slots();
  private readonly v = this.slots();
  private readonly beta1 = this.constant(BETA1);
  private readonly oneMinusBeta1 = this.constant(1 - BETA1);
  private readonly beta2 = this.constant(BETA2);
  private readonly oneMinusBeta2 = this.constant(1 - BETA2);

  /** Updates the moments with this step's gradients; the step is lr * scale * directions. Call inside tf.tidy. */
  protected adamDirections(gradients: Tensor[]): { directions: Tensor[]; scale: number } {
    this.steps++;
    const correction2 = Math.sqrt(1 - BETA2 ** this.steps);
    const epsilon = this.tf.scalar(EPSILON * correction2);
    const directions = gradients.map((g, i) => {
      const m = this.m[i];
      const v = this.v[i];
      m.assign(m.mul(this.beta1).add(g.mul(this.oneMinusBeta1)));
      v.assign(v.mul(this.beta2).add(g.square().mul(this.oneMinusBeta2)));
      return m.div(v.sqrt().add(epsilon));
    });
    return { directions, scale: correction2 / (1 - BETA1 ** this.steps) };
  }
}

/** Adam (Kingma and Ba 2015; betas 0.9, 0.999, epsilon 1e-8), weight decay as an L2 penalty in the gradient. */
export class Adam extends AdamBase implements Optimizer {
  readonly name = "adam" as const;

  step(gradients: Tensor[]): void {
    const { directions, scale } = this.adamDirections(gradients.map((g, i) => this.withL2(g, i)));
    const lr = this.lr.mul(scale);
    this.variables.forEach((w, i) => w.assign(w.sub(directions[i].mul(lr))));
  }
}
