import type { Variable } from "@tensorflow/tfjs";
import type { Tf } from "../backend";
import type { OptimizerName } from "../hyperparameters";
import { Adam } from "./adam";
import { AdamHypergradient } from "./adamHypergradient";
import { AdamW } from "./adamw";
import { Momentum } from "./momentum";
import type { Optimizer, OptimizerOptions } from "./optimizer";
import { RmsProp } from "./rmsprop";
import { Sgd } from "./sgd";
import { SgdHypergradient } from "./sgdHypergradient";

const RULES: Record<OptimizerName, new (tf: Tf, variables: Variable[], options: OptimizerOptions) => Optimizer> = {
  sgd: Sgd,
  momentum: Momentum,
  adam: Adam,
  rmsprop: RmsProp,
  adamw: AdamW,
  "sgd-hd": SgdHypergradient,
  "adam-hd": AdamHypergradient,
};

/** The optimizer of that name over these variables; its state is created now, outside any tidy. */
export function createOptimizer(tf: Tf, name: OptimizerName, variables: Variable[], options: OptimizerOptions): Optimizer {
  return new RULES[name](tf, variables, options);
}
