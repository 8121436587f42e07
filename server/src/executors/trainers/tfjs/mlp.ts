import type { Tensor, Tensor1D, Tensor2D, Variable } from "@tensorflow/tfjs";
import type { Tf } from "./backend";
import { createDense, type Dense } from "./dense";
import type { Activation } from "./hyperparameters";

export interface MlpShape {
  inputs: number;
  /** Classes (logits) for classification, 1 for regression. */
  outputs: number;
  /** Hidden layers; 0 makes a linear model. */
  layers: number;
  units: number;
  activation: Activation;
  dropout: number;
}

/**
 * A multi-layer perceptron as plain variables, so that the training loop owns every tensor:
 * weights start Glorot-uniform (Keras's default for Dense, so model.fit baselines compare),
 * biases at zero, both seeded.
 */
export class Mlp {
  /** Weights and biases, layer by layer: [W0, b0, W1, b1, ...]. */
  readonly variables: Variable[] = [];
  /** Which variables take weight decay: the weight matrices, not the biases. */
  readonly decays: boolean[] = [];
  private readonly dense: Dense;

  constructor(
    private readonly tf: Tf,
    readonly shape: MlpShape,
    seed: number,
  ) {
    this.dense = createDense(tf, tf.getBackend());
    const sizes = [shape.inputs, ...Array<number>(shape.layers).fill(shape.units), shape.outputs];
    tf.tidy(() => {
      for (let l = 0; l + 1 < sizes.length; l++) {
        const limit = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
        // Seeds stay below 2^31 and differ per layer; tfjs's seeded generator takes any number.
        const init = tf.randomUniform([sizes[l], sizes[l + 1]], -limit, limit, "float32", (seed * 7919 + l) % 2147483647);
        this.variables.push(tf.variable(init, true, `w${l}_${uniqueId()}`), tf.variable(tf.zeros([sizes[l + 1]]), true, `b${l}_${uniqueId()}`));
        this.decays.push(true, false);
      }
    });
  }

  /** Logits or predictions. A dropout seed turns dropout on (training); without one it is off (evaluation). */
  forward(x: Tensor2D, dropoutSeed?: number): Tensor2D {
    const tf = this.tf;
    let h: Tensor2D = x;
    const last = this.variables.length / 2 - 1;
    for (let l = 0; l <= last; l++) {
      h = this.dense(h, this.variables[2 * l] as Tensor2D, this.variables[2 * l + 1] as Tensor1D, l > 0);
      if (l === last) break;
      h = activate(tf, this.shape.activation, h);
      if (dropoutSeed !== undefined && this.shape.dropout > 0) h = tf.dropout(h, this.shape.dropout, undefined, dropoutSeed + l) as Tensor2D;
    }
    return h;
  }

  /** Copies of the current values (cheap: they share storage until the variables move on). */
  snapshot(): Tensor[] {
    return this.variables.map((v) => this.tf.keep(v.clone()));
  }

  restore(snapshot: Tensor[]): void {
    this.variables.forEach((v, i) => v.assign(snapshot[i]));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

let nextId = 0;
/** Variable names are global to the tfjs engine; two models alive at once must not share one. */
function uniqueId(): number {
  return nextId++;
}

function activate(tf: Tf, activation: Activation, x: Tensor2D): Tensor2D {
  switch (activation) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "elu":
      return tf.elu(x);
    case "selu":
      return tf.selu(x);
    case "sigmoid":
      return tf.sigmoid(x);
  }
}
