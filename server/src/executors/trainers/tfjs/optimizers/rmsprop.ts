import type { Tensor, Variable } from "@tensorflow/tfjs";
import { OptimizerBase, type Optimizer } from "./optimizer";

const RHO = 0.9;
const EPSILON = 1e-7;

/** RMSprop (Hinton's lecture notes; Keras's defaults rho 0.9, epsilon 1e-7): w -= lr * g / (sqrt(s) + eps). */
export class RmsProp extends OptimizerBase implements Optimizer {
  readonly name = "rmsprop" as const;
  private meanSquare: Variable[] = this.slots();

  step(gradients: Tensor[]): void {
    this.variables.forEach((w, i) => {
      const g = this.withL2(gradients[i], i);
      const s = this.meanSquare[i];
      s.assign(s.mul(RHO).add(g.square().mul(1 - RHO)));
      w.assign(w.sub(g.div(s.sqrt().add(EPSILON)).mul(this.lr)));
    });
  }
}
