import type { Device, Trainer } from "../../trainer";
import { loadTfjs } from "./backend";
import { LrRangeTrainer } from "./lrRangeTrainer";
import { TfjsMlpTrainer } from "./mlpTrainer";

/** How a tfjs trainer is created. */
export interface TfjsTrainerOptions {
  /** Where trials run: a GPU needs @tensorflow/tfjs-node-gpu and falls back to the CPU backends without it. */
  device: Device;
  /** Receives the backend choice (once per process) and fallbacks. Default: discard. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The "tfjs-mlp" trainer. Loads tfjs and its best backend here on first use, not when this
 * module is imported (the trainer modules only import tfjs's types and receive the namespace),
 * so that processes that never train do not pay for it.
 */
export async function createTfjsMlpTrainer(options: TfjsTrainerOptions): Promise<Trainer> {
  const { tf, backend } = await loadTfjs(options.device, options.log);
  return new TfjsMlpTrainer(tf, backend);
}

/** The "tfjs-lr-range" trainer (learning-rate range test), loaded like createTfjsMlpTrainer. */
export async function createLrRangeTrainer(options: TfjsTrainerOptions): Promise<Trainer> {
  const { tf, backend } = await loadTfjs(options.device, options.log);
  return new LrRangeTrainer(tf, backend);
}

export { TFJS_BACKENDS, BACKEND_ENV, type TfjsBackendName } from "./backend";
export { MLP_HYPERPARAMETER_DEFAULTS, OPTIMIZER_NAMES, ACTIVATIONS, type MlpHyperparameters } from "./hyperparameters";
