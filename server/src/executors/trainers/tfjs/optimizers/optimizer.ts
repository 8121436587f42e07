import type { Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import type { Tf } from "../backend";
import type { OptimizerName } from "../hyperparameters";

/**
 * A gradient-descent rule over a fixed list of variables. Written here rather than taken from
 * tf.train because tfjs has no AdamW and no hypergradient descent, and because the learning rate
 * lives in a tensor the loop can read and move without rebuilding anything.
 */
export interface Optimizer {
  readonly name: OptimizerName;
  /** One update from the loss gradients of the variables (same order). Call inside tf.tidy. */
  step(gradients: Tensor[]): void;
  /** The learning rate in effect (the -hd rules move it). Reads it back from the backend. */
  learningRate(): number;
  /** Sets the learning rate (the range test sweeps it). */
  setLearningRate(value: number): void;
  /** Frees the optimizer's state (moments, learning rate); the variables stay. */
  dispose(): void;
}

export interface OptimizerOptions {
  learningRate: number;
  /** L2 penalty (decoupled decay for adamw) on the variables marked in `decays`. */
  weightDecay: number;
  /** Which variables take weight decay: the weight matrices, not the biases. */
  decays: boolean[];
  /** Momentum of "momentum". */
  momentum: number;
  /** Relative learning-rate change per step of sgd-hd and adam-hd. */
  hypergradientRate: number;
}

/** The learning rate as a scalar variable, and the state every rule shares. */
export class OptimizerBase {
  protected readonly lr: Variable;
  protected readonly state: Tensor[] = [];

  constructor(
    protected readonly tf: Tf,
    protected readonly variables: Variable[],
    protected readonly options: OptimizerOptions,
  ) {
    this.lr = tf.tidy(() => tf.variable(tf.scalar(options.learningRate), false));
  }

  learningRate(): number {
    return this.lr.dataSync()[0];
  }

  setLearningRate(value: number): void {
    this.tf.tidy(() => this.lr.assign(this.tf.scalar(value)));
  }

  /**
   * A scalar kept for the optimizer's life. Operations given a plain number convert it to a new
   * tensor every time; at a few dozen operations a step that conversion is a cost worth avoiding.
   */
  protected constant(value: number): Scalar {
    const scalar = this.tf.keep(this.tf.scalar(value));
    this.state.push(scalar);
    return scalar;
  }

  /** A zero-filled slot per variable (moments, previous gradients), freed by dispose. */
  protected slots(): Variable[] {
    const slots = this.tf.tidy(() => this.variables.map((v) => this.tf.variable(this.tf.zerosLike(v), false)));
    this.state.push(...slots);
    return slots;
  }

  /** The gradient plus the L2 penalty's (coupled weight decay, as PyTorch's weight_decay). */
  protected withL2(gradient: Tensor, i: number): Tensor {
    if (!this.options.decays[i] || this.options.weightDecay === 0) return gradient;
    this.decay ??= this.constant(this.options.weightDecay);
    return gradient.add(this.variables[i].mul(this.decay));
  }

  /** weightDecay as a kept scalar, made on first use. */
  protected decay: Scalar | null = null;

  dispose(): void {
    this.lr.dispose();
    for (const t of this.state) t.dispose();
  }
}

/**
 * Cosine of the angle between two lists of tensors taken as one long vector each. The -hd rules
 * scale the learning rate by it, so their rate does not depend on the model's size.
 */
export function cosine(tf: Tf, a: Tensor[], b: Tensor[]): Scalar {
  let dot: Scalar = tf.scalar(0);
  let na: Scalar = tf.scalar(0);
  let nb: Scalar = tf.scalar(0);
  a.forEach((x, i) => {
    dot = dot.add(tf.sum(x.mul(b[i])));
    na = na.add(tf.sum(x.square()));
    nb = nb.add(tf.sum(b[i].square()));
  });
  return dot.div(na.mul(nb).sqrt().add(1e-30));
}
