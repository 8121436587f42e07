import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../server/src/optimization";
import { parseSearchSpace } from "../../../server/src/optimization";
import { lrRangeTask } from "../../../server/src/executors/tasks/lrRangeTask";
import { TaskError } from "../../../server/src/executors/tasks/taskDefinition";
import { tfjsMlpTask } from "../../../server/src/executors/tasks/tfjsMlpTask";
import { readHyperparameters, MLP_HYPERPARAMETER_DEFAULTS } from "../../../server/src/executors/trainers/tfjs/hyperparameters";

function taskError(check: () => unknown): TaskError {
  try {
    check();
  } catch (error) {
    if (error instanceof TaskError) return error;
    throw error;
  }
  throw new Error("expected a TaskError");
}

describe("tfjs-mlp task", () => {
  it("fills in every default", () => {
    expect(tfjsMlpTask.check({ trainer: "tfjs-mlp", dataset: "wine" })).toEqual({
      trainer: "tfjs-mlp",
      dataset: "wine",
      epochs: 30,
      patience: 5,
      minDelta: 0,
      splitSeed: 0,
      splitFractions: [0.6, 0.2, 0.2],
      seed: 0,
      metric: "auto",
    });
    expect(tfjsMlpTask.check({ dataset: { csv: "my.csv" } }).dataset).toEqual({ csv: "my.csv", target: -1, header: "auto", kind: "auto" });
  });

  it("keeps what the user set, and checking twice changes nothing", () => {
    const task = { dataset: { csv: "x.csv", target: "y", header: true, kind: "regression" }, epochs: 3, patience: 0, metric: "valMae" };
    const once = tfjsMlpTask.check(task);
    expect(once).toMatchObject(task);
    expect(tfjsMlpTask.check(once)).toEqual(once);
  });

  it.each<[string, Record<string, JsonValue>, string, RegExp]>([
    ["a negative epoch count", { dataset: "wine", epochs: -1 }, "task.epochs", /^task\.epochs must be an integer from 1 to 10000 \(got -1\)\.$/],
    ["a fractional patience", { dataset: "wine", patience: 2.5 }, "task.patience", /task\.patience must be an integer from 0/],
    ["no data set", {}, "task.dataset", /task\.dataset is required: a built-in data set \(digits, breast_cancer, wine, diabetes\)/],
    ["an unknown data set", { dataset: "iris" }, "task.dataset", /"iris" is not a built-in data set/],
    ["a CSV without path", { dataset: { target: "y" } }, "task.dataset.csv", /task\.dataset\.csv must be the path/],
    ["a bad header flag", { dataset: { csv: "a.csv", header: "yes" } }, "task.dataset.header", /true, false or "auto"/],
    ["a misspelt field", { dataset: "wine", epoch: 3 }, "task.epoch", /task\.epoch is not a field of a tfjs-mlp task/],
    ["split fractions that do not add up", { dataset: "wine", splitFractions: [0.5, 0.2, 0.2] }, "task.splitFractions", /add up to 1/],
    ["an unknown metric", { dataset: "wine", metric: "f1" }, "task.metric", /"auto", "valAccuracy", "valLoss" or "valMae"/],
    ["accuracy on a regression", { dataset: "diabetes", metric: "valAccuracy" }, "task.metric", /needs a classification data set/],
    ["a negative minDelta", { dataset: "wine", minDelta: -0.1 }, "task.minDelta", /at least 0/],
  ])("names the field of %s", (_, task, field, message) => {
    const error = taskError(() => tfjsMlpTask.check(task));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it("gives a default search space that parses, with batch sizes the data set can fill", () => {
    const wine = parseSearchSpace(tfjsMlpTask.defaultSearchSpace!({ dataset: "wine" }));
    const digits = parseSearchSpace(tfjsMlpTask.defaultSearchSpace!({ dataset: "digits" }));
    expect(wine.map((p) => p.name).sort()).toEqual(
      ["activation", "batchSize", "dropout", "layers", "learningRate", "optimizer", "units", "weightDecay"].sort(),
    );
    const batches = (space: typeof wine) => (space.find((p) => p.name === "batchSize") as { choices: number[] }).choices;
    expect(Math.max(...batches(wine))).toBeLessThanOrEqual(178 * 0.6 / 2);
    expect(Math.max(...batches(digits))).toBeGreaterThan(Math.max(...batches(wine)));
    expect(wine.find((p) => p.name === "learningRate")).toMatchObject({ low: 1e-4, high: 1e-1, log: true });
  });
});

describe("tfjs-lr-range task", () => {
  it("fills in every default", () => {
    expect(lrRangeTask.check({ dataset: "digits" })).toEqual({
      trainer: "tfjs-lr-range",
      dataset: "digits",
      splitSeed: 0,
      splitFractions: [0.6, 0.2, 0.2],
      seed: 0,
      minLr: 1e-6,
      maxLr: 1,
      steps: 100,
      smoothing: 0.98,
      divergeFactor: 4,
    });
    expect(lrRangeTask.defaultSearchSpace).toBeUndefined();
  });

  it("names bad fields", () => {
    expect(taskError(() => lrRangeTask.check({ dataset: "wine", minLr: 0.1, maxLr: 0.01 })).field).toBe("task.maxLr");
    expect(taskError(() => lrRangeTask.check({ dataset: "wine", steps: 3 })).message).toMatch(/task\.steps must be an integer from 10/);
    expect(taskError(() => lrRangeTask.check({ dataset: "wine", epochs: 3 })).field).toBe("task.epochs");
  });
});

describe("hyperparameters", () => {
  it("take the documented defaults when the study does not declare them", () => {
    expect(readHyperparameters({})).toEqual(MLP_HYPERPARAMETER_DEFAULTS);
    expect(readHyperparameters({ units: 32, optimizer: "sgd-hd" })).toMatchObject({ units: 32, optimizer: "sgd-hd", layers: 2 });
  });

  it("say which parameter is wrong", () => {
    expect(() => readHyperparameters({ optimizer: "adagrad" })).toThrow(/parameter optimizer must be one of sgd, momentum, adam/);
    expect(() => readHyperparameters({ batchSize: 0 })).toThrow(/parameter batchSize must be an integer from 1/);
    expect(() => readHyperparameters({ learningRate: 0 })).toThrow(/parameter learningRate must be a number above 0/);
  });
});
