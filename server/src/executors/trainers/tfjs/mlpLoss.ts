import type { Scalar, Tensor2D } from "@tensorflow/tfjs";
import type { Tf } from "./backend";
import type { DatasetTensors, PartTensors } from "./datasetTensors";
import type { Mlp } from "./mlp";

/** Mean softmax cross-entropy (classification) or mean squared error of the standardised target (regression). */
export function lossOf(tf: Tf, kind: DatasetTensors["kind"], output: Tensor2D, y: Tensor2D): Scalar {
  return kind === "classification" ? tf.losses.softmaxCrossEntropy(y, output) : tf.losses.meanSquaredError(y, output);
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
