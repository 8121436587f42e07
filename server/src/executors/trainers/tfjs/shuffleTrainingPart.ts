import type { Tensor2D } from "@tensorflow/tfjs";
import { Rng } from "../../../optimization";
import type { Tf } from "./backend";
import type { DatasetTensors } from "./datasetTensors";

/**
 * The training part's features and targets in a seeded random order, one copy per pass (slicing
 * a shuffled copy per batch is cheaper than gathering each batch). The caller disposes both.
 */
export function shuffleTrainingPart(tf: Tf, data: DatasetTensors, seed: number, pass: number): [Tensor2D, Tensor2D] {
  const rows = data.train.rows;
  const rng = Rng.derive(seed, pass);
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tf.tidy(() => {
    const index = tf.tensor1d(order, "int32");
    return [tf.gather(data.train.x, index), tf.gather(data.train.y, index)];
  });
}
