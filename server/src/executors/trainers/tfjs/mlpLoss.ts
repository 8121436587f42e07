import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs";
import type { Tf } from "./backend";
import type { DatasetTensors, PartTensors } from "./datasetTensors";
import type { Mlp } from "./mlp";

/**
 * Mean softmax cross-entropy (classification; y one-hot) or mean squared error of the
 * standardised target (regression). Written out rather than taken from tf.losses, whose weighting
 * and reduction add operations to every step; the cross-entropy's gradient is the closed form
 * (softmax - y) / rows, half the work of the traced one.
 */
export function lossOf(tf: Tf, kind: DatasetTensors["kind"], output: Tensor2D, y: Tensor2D): Scalar {
  if (kind === "regression") return tf.mean(tf.squaredDifference(output, y));
  const crossEntropy = tf.customGrad((...args: (Tensor | ((ts: Tensor[]) => void))[]) => {
    const [logits, save] = args as [Tensor2D, (ts: Tensor[]) => void];
    save([logits]);
    return {
      value: tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(y, logits), 1))),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => [tf.mul(tf.sub(tf.softmax(saved[0] as Tensor2D), y), tf.div(dy as Tensor, logits.shape[0]))],
    };
  });
  return crossEntropy(output) as Scalar;
}

/** How well the model does on one part of the data, dropout off. */
export interface PartScore {
  loss: number;
  /** Fraction classified right (classification). */
  accuracy?: number;
  /** Mean absolute error in the target's own units (regression). */
  mae?: number;
}

export function scorePart(tf: Tf, model: Mlp, data: DatasetTensors, part: PartTensors): PartScore {
  const scores = tf.tidy(() => {
    const output = model.forward(part.x);
    const loss = lossOf(tf, data.kind, output, part.y);
    const second =
      data.kind === "classification"
        ? tf.mean(tf.equal(tf.argMax(output, 1), part.labels!).toFloat())
        : tf.mean(tf.abs(tf.sub(output, part.y))).mul(data.targetStd);
    return tf.stack([loss, second]);
  });
  const [loss, second] = scores.dataSync();
  scores.dispose();
  return data.kind === "classification" ? { loss, accuracy: second } : { loss, mae: second };
}
