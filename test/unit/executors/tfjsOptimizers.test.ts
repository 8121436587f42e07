import type { Tensor2D, Variable } from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTfjs, type Tf } from "../../../server/src/executors/trainers/tfjs/backend";
import { OPTIMIZER_NAMES, type OptimizerName } from "../../../server/src/executors/trainers/tfjs/hyperparameters";
import { createOptimizer } from "../../../server/src/executors/trainers/tfjs/optimizers/createOptimizer";
import type { Optimizer, OptimizerOptions } from "../../../server/src/executors/trainers/tfjs/optimizers/optimizer";

let tf: Tf;
beforeAll(async () => {
  tf = (await loadTfjs({ kind: "cpu" })).tf;
});

/**
 * A small least-squares problem: y = X w* with 20 features of which only 4 matter, plus noise.
 * Runs `steps` full-batch steps from the same start and returns the losses and final weights.
 */
function train(name: OptimizerName, options: Partial<OptimizerOptions>, steps: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal([128, 20], 0, 1, "float32", 1) as Tensor2D;
    const wTrue = tf.concat([tf.tensor2d([[2], [-1], [0.5], [1.5]]), tf.zeros([16, 1])]);
    const y = tf.matMul(x, wTrue).add(tf.randomNormal([128, 1], 0, 0.1, "float32", 2));
    const w: Variable = tf.variable(tf.randomNormal([20, 1], 0, 0.5, "float32", 3));
    const optimizer: Optimizer = createOptimizer(tf, name, [w], {
      learningRate: 0.01,
      weightDecay: 0,
      decays: [true],
      momentum: 0.9,
      hypergradientRate: 0.02,
      ...options,
    });
    const losses: number[] = [];
    const rates: number[] = [];
    for (let i = 0; i < steps; i++) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, tf.matMul(x, w)), [w]);
        optimizer.step([grads[w.name]]);
        losses.push(value.dataSync()[0]);
      });
      rates.push(optimizer.learningRate());
    }
    const weights = Array.from(w.dataSync());
    optimizer.dispose();
    w.dispose();
    return { losses, rates, weights };
  });
}

const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, v) => s + v * v, 0));

describe("optimizers", () => {
  const rates: Record<OptimizerName, number> = {
    sgd: 0.05,
    momentum: 0.01,
    adam: 0.05,
    rmsprop: 0.05,
    adamw: 0.05,
    "sgd-hd": 0.01,
    "adam-hd": 0.02,
  };

  it.each(OPTIMIZER_NAMES)("%s lowers the training loss", (name) => {
    const { losses } = train(name, { learningRate: rates[name] }, 60);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.2);
  });

  it("leaves no tensor behind once disposed", () => {
    const before = tf.memory().numTensors;
    for (const name of OPTIMIZER_NAMES) train(name, { weightDecay: 0.01 }, 3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("adamw's decoupled decay shrinks the weights more than adam without decay", () => {
    const adam = train("adam", { learningRate: 0.05 }, 100);
    const adamw = train("adamw", { learningRate: 0.05, weightDecay: 0.5 }, 100);
    expect(norm(adamw.weights)).toBeLessThan(norm(adam.weights) * 0.9);
  });

  it("adamw decays weights even where the gradient is zero; adam does not move them", () => {
    const run = (name: OptimizerName, weightDecay: number) =>
      tf.tidy(() => {
        const w = tf.variable(tf.ones([4]));
        const optimizer = createOptimizer(tf, name, [w], { learningRate: 0.1, weightDecay, decays: [true], momentum: 0, hypergradientRate: 0 });
        for (let i = 0; i < 10; i++) tf.tidy(() => optimizer.step([tf.zeros([4])]));
        const value = w.dataSync()[0];
        optimizer.dispose();
        w.dispose();
        return value;
      });
    expect(run("adamw", 0.1)).toBeCloseTo(0.99 ** 10, 5);
    expect(run("adam", 0)).toBeCloseTo(1, 5);
  });

  it.each(["sgd-hd", "adam-hd"] as const)("%s raises a far too small learning rate", (name) => {
    const { rates: lr, losses } = train(name, { learningRate: 1e-5 }, 100);
    expect(lr[lr.length - 1]).toBeGreaterThan(1e-5 * 3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it("sgd-hd lowers a learning rate that overshoots", () => {
    // Steps of 0.95 bounce across the valley of the steepest direction (curvature about 2 here).
    const { rates: lr } = train("sgd-hd", { learningRate: 0.95 }, 60);
    expect(lr[lr.length - 1]).toBeLessThan(0.95 * 0.8);
  });

  it("plain sgd keeps its learning rate", () => {
    const { rates: lr } = train("sgd", { learningRate: 0.01 }, 5);
    expect(lr.every((r) => Math.abs(r - 0.01) < 1e-9)).toBe(true);
  });
});
