import type { JsonValue } from "../../../optimization";

export const OPTIMIZER_NAMES = ["sgd", "momentum", "adam", "rmsprop", "adamw", "sgd-hd", "adam-hd"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export const ACTIVATIONS = ["relu", "tanh", "elu", "selu", "sigmoid"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** What one MLP trial trains with. */
export interface MlpHyperparameters {
  learningRate: number;
  batchSize: number;
  /** Hidden layers. */
  layers: number;
  /** Units of each hidden layer. */
  units: number;
  /** Dropout rate after each hidden layer. */
  dropout: number;
  activation: Activation;
  optimizer: OptimizerName;
  /** L2 penalty added to the gradient of the weights (not the biases); adamw decays the weights directly instead. */
  weightDecay: number;
  /** Momentum of "momentum" (heavy ball, as PyTorch's SGD). */
  momentum: number;
  /** Relative change of the learning rate per step under sgd-hd and adam-hd, at full agreement of successive gradients. */
  hypergradientRate: number;
}

/**
 * The value of each hyperparameter a study does not declare:
 *
 * | name              | default | accepted                                                    |
 * | ----------------- | ------- | ----------------------------------------------------------- |
 * | learningRate      | 0.001   | a number above 0                                            |
 * | batchSize         | 32      | an integer from 1 to 65536                                  |
 * | layers            | 2       | an integer from 0 (a linear model) to 16                    |
 * | units             | 64      | an integer from 1 to 4096                                   |
 * | dropout           | 0       | a number from 0 to 0.95                                     |
 * | activation        | "relu"  | relu, tanh, elu, selu, sigmoid                              |
 * | optimizer         | "adam"  | sgd, momentum, adam, rmsprop, adamw, sgd-hd, adam-hd        |
 * | weightDecay       | 0       | a number from 0 to 1                                        |
 * | momentum          | 0.9     | a number from 0 to 0.999 (optimizer "momentum")             |
 * | hypergradientRate | 0.02    | a number from 0 to 0.5 (optimizers "sgd-hd" and "adam-hd")  |
 */
export const MLP_HYPERPARAMETER_DEFAULTS: Readonly<MlpHyperparameters> = Object.freeze({
  learningRate: 0.001,
  batchSize: 32,
  layers: 2,
  units: 64,
  dropout: 0,
  activation: "relu",
  optimizer: "adam",
  weightDecay: 0,
  momentum: 0.9,
  hypergradientRate: 0.02,
});

/** A trial parameter the trainer cannot use; the trial fails with this message. */
export class HyperparameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HyperparameterError";
  }
}

/** The trial's parameters by the names above, defaults for the rest; throws HyperparameterError. */
export function readHyperparameters(params: Record<string, JsonValue>): MlpHyperparameters {
  const d = MLP_HYPERPARAMETER_DEFAULTS;
  return {
    learningRate: numberParam(params, "learningRate", d.learningRate, 0, Infinity, true),
    batchSize: integerParam(params, "batchSize", d.batchSize, 1, 65536),
    layers: integerParam(params, "layers", d.layers, 0, 16),
    units: integerParam(params, "units", d.units, 1, 4096),
    dropout: numberParam(params, "dropout", d.dropout, 0, 0.95),
    activation: choiceParam(params, "activation", d.activation, ACTIVATIONS),
    optimizer: choiceParam(params, "optimizer", d.optimizer, OPTIMIZER_NAMES),
    weightDecay: numberParam(params, "weightDecay", d.weightDecay, 0, 1),
    momentum: numberParam(params, "momentum", d.momentum, 0, 0.999),
    hypergradientRate: numberParam(params, "hypergradientRate", d.hypergradientRate, 0, 0.5),
  };
}

function numberParam(
  params: Record<string, JsonValue>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  aboveMin = false,
): number {
  const value = params[name] ?? fallback;
  const ok = typeof value === "number" && Number.isFinite(value) && (aboveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    const range = max === Infinity ? `a number above ${min}` : `a number from ${min} to ${max}`;
    throw new HyperparameterError(`parameter ${name} must be ${range} (got ${JSON.stringify(value)}); change its range in the search space.`);
  }
  return value as number;
}

function integerParam(params: Record<string, JsonValue>, name: string, fallback: number, min: number, max: number): number {
  const value = params[name] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new HyperparameterError(
      `parameter ${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}); change its range in the search space.`,
    );
  }
  return value;
}

function choiceParam<T extends string>(params: Record<string, JsonValue>, name: string, fallback: T, choices: readonly T[]): T {
  const value = params[name] ?? fallback;
  if (typeof value !== "string" || !choices.includes(value as T)) {
    throw new HyperparameterError(
      `parameter ${name} must be one of ${choices.join(", ")} (got ${JSON.stringify(value)}); change its choices in the search space.`,
    );
  }
  return value as T;
}
