import type { Direction, JsonValue, ParamSpec } from "../types";

/** A finished trial as the importance evaluators see it. */
export interface ImportanceTrial {
  /** Parameter name to value; a conditional parameter the trial did not use is absent. */
  params: Record<string, JsonValue>;
  /** The objective value rated (one objective of a multi-objective study). */
  value: number;
}

/** What an evaluator rates: the parameters, the finished trials and which way is better. */
export interface ImportanceInput {
  /** The parameters to rate, each with the distribution its values come from. */
  specs: ParamSpec[];
  trials: ImportanceTrial[];
  /** Which objective values are better; PED-ANOVA looks at the best trials, fANOVA ignores it. */
  direction: Direction;
}

/** One parameter's share of the importance; the shares of one answer sum to 1. */
export interface ParamImportance {
  name: string;
  importance: number;
}
