import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import type { Tf } from "./backend";

/** x W + b for a batch x: [rows, in], W: [in, out], b: [out]. */
export type Dense = (x: Tensor2D, w: Tensor2D, b: Tensor1D, inputNeedsGradient: boolean) => Tensor2D;

/**
 * The dense layer. On the wasm backend its gradient is written out with explicit transposes:
 * there, a matMul with a transpose flag (what tfjs's own gradient uses) runs about 2.5 to 6 times
 * slower than transposing first, and the backward pass dominates a training step. The data's own
 * gradient, which nothing needs, is skipped too.
 */
export function createDense(tf: Tf, backend: string): Dense {
  if (backend !== "wasm") return (x, w, b) => tf.add(tf.matMul(x, w), b);
  const withInputGradient = tf.customGrad((...args: (Tensor | ((ts: Tensor[]) => void))[]) => {
    const [x, w, b, save] = args as [Tensor2D, Tensor2D, Tensor1D, (ts: Tensor[]) => void];
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [sx, sw] = saved as [Tensor2D, Tensor2D];
        const g = dy as Tensor2D;
        return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g), tf.sum(g, 0)];
      },
    };
  });
  return (x, w, b, inputNeedsGradient) => {
    if (inputNeedsGradient) return withInputGradient(x, w, b) as Tensor2D;
    const noInputGradient = tf.customGrad((...args: (Tensor | ((ts: Tensor[]) => void))[]) => {
      const [w2, b2] = args as [Tensor2D, Tensor1D];
      return {
        value: tf.add(tf.matMul(x, w2), b2),
        gradFunc: (dy: Tensor | Tensor[]) => [tf.matMul(tf.transpose(x), dy as Tensor2D), tf.sum(dy as Tensor2D, 0)],
      };
    });
    return noInputGradient(w, b) as Tensor2D;
  };
}
