/**
 * Plain data that samplers and pruners see. Nothing here knows about the database or GraphQL:
 * the studies layer maps its entities to these shapes.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Direction = "MINIMIZE" | "MAXIMIZE";
export type TrialState = "WAITING" | "RUNNING" | "COMPLETE" | "PRUNED" | "FAIL";
export type ParamType = "FLOAT" | "INT" | "CATEGORICAL";

/** The parameter exists only when `param` takes one of `values`. */
export interface ParamCondition {
  param: string;
  values: JsonValue[];
}

export interface FloatParamSpec {
  name: string;
  type: "FLOAT";
  low: number;
  high: number;
  log: boolean;
  /** Values are low + k * step; null for a continuous range. */
  step: number | null;
  condition?: ParamCondition | null;
}

export interface IntParamSpec {
  name: string;
  type: "INT";
  low: number;
  high: number;
  log: boolean;
  /** Always set for integers; defaults to 1. */
  step: number;
  condition?: ParamCondition | null;
}

export interface CategoricalParamSpec {
  name: string;
  type: "CATEGORICAL";
  choices: JsonValue[];
  condition?: ParamCondition | null;
}

export type ParamSpec = FloatParamSpec | IntParamSpec | CategoricalParamSpec;

/** One intermediate report of the objective metric. */
export interface IntermediateValue {
  step: number;
  value: number;
}

/** One report of every objective at a step (multi-objective studies). */
export interface IntermediateVector {
  step: number;
  /** One value per study direction, in the order of `StudyView.directions`. */
  values: number[];
}

/** A trial as samplers and pruners see it. */
export interface TrialView {
  number: number;
  state: TrialState;
  /** Parameter name to value, for every parameter the trial has (declared and define-by-run). */
  params: Record<string, JsonValue>;
  /** The distribution each of `params` was sampled from. */
  distributions: Record<string, ParamSpec>;
  /** One value per direction for COMPLETE trials; PRUNED trials carry their last intermediate value. */
  values: number[] | null;
  /** The objective metric's reports, sorted by step. */
  intermediateValues: IntermediateValue[];
  /**
   * Multi-objective studies: the objectives' reports joined by step (one series per objective,
   * kept at the steps where every objective reported), sorted by step. Read by the
   * PARETO_SUCCESSIVE_HALVING pruner; absent for single-objective studies.
   */
  intermediateVectors?: IntermediateVector[];
  /** Constraint values; a trial is feasible when all are <= 0. Absent when the study has none. */
  constraints?: number[] | null;
}

/** What a sampler or pruner sees of a study. */
export interface StudyView {
  directions: Direction[];
  /** The declared search space (possibly empty for define-by-run studies). */
  searchSpace: ParamSpec[];
  /** Every trial of the study other than the one being sampled or pruned, in number order. */
  trials: TrialView[];
  /**
   * Set for a sampler that models the objective across budgets (multiFidelity model "joint"):
   * the pruner's rungs, at which the trials' reports are observations of the same function.
   */
  fidelity?: FidelityLevels;
}

/** What a sampler needs to model a study across budgets: the pruner's rungs and how it values a trial there. */
export interface FidelityLevels {
  /** The pruner's rung steps. */
  rungSteps: readonly number[];
  /** "last": the first report at or after a rung; "best": the best report up to it (the pruner's rungValue). */
  rungValue: "last" | "best";
  /** Observations a budget needs before new trials are chosen for it (default d + 2, as the rung view). */
  minObservations?: number;
}

