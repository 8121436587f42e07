import type { Tensor, Variable } from "@tensorflow/tfjs";
import { OptimizerBase, type Optimizer } from "./optimizer";

const RHO = 0.9;
const EPSILON = 1e-7;

/** RMSprop (Hinton's lecture notes; Keras's defaults rho 0.9, epsilon 1e-7): w -= lr * g / (sqrt(s) + eps). */
export class RmsProp extends OptimizerBase implements Optimizer {
  readonly name = "rmsprop" as const;
  private readonly meanSquare: Variable[] = this.slots();
  private readonly rho = this.constant(RHO);
  private readonly oneMinusRho = this.constant(1 - RHO);
  private readonly epsilon = this.constant(EPSILON);

  step(gradients: Tensor[]): void {
    this.variables.forEach((w, i) => {
      const g = this.withL2(gradients[i], i);
      const s = this.meanSquare[i];
      s.assign(s.mul(this.rho).add(g.square().mul(this.oneMinusRho)));
      w.assign(w.sub(g.div(s.sqrt().add(this.epsilon)).mul(this.lr)));
    });
  }
}
