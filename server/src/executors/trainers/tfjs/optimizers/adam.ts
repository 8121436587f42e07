import type { Tensor, Variable } from "@tensorflow/tfjs";
import type { Tf } from "../backend";
import { OptimizerBase, type Optimizer } from "./optimizer";

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Adam's moments and its bias-corrected step direction m^ / (sqrt(v^) + eps), shared by adam, adamw and adam-hd. */
export class AdamMoments {
  private steps = 0;

  constructor(
    private readonly tf: Tf,
    private readonly m: Variable[],
    private readonly v: Variable[],
  ) {}

  /** Updates the moments with this step's gradients and returns the direction of each variable. */
  direction(gradients: Tensor[]): Tensor[] {
    this.steps++;
    const c1 = 1 / (1 - BETA1 ** this.steps);
    const c2 = 1 / (1 - BETA2 ** this.steps);
    return gradients.map((g, i) => {
      const m = this.m[i];
      const v = this.v[i];
      m.assign(m.mul(BETA1).add(g.mul(1 - BETA1)));
      v.assign(v.mul(BETA2).add(g.square().mul(1 - BETA2)));
      return m.mul(c1).div(this.tf.sqrt(v.mul(c2)).add(EPSILON));
    });
  }
}

/** Adam (Kingma and Ba 2015; betas 0.9, 0.999, epsilon 1e-8), weight decay as an L2 penalty in the gradient. */
export class Adam extends OptimizerBase implements Optimizer {
  readonly name = "adam" as const;
  private moments = new AdamMoments(this.tf, this.slots(), this.slots());

  step(gradients: Tensor[]): void {
    const directions = this.moments.direction(gradients.map((g, i) => this.withL2(g, i)));
    this.variables.forEach((w, i) => w.assign(w.sub(directions[i].mul(this.lr))));
  }
}
