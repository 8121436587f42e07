import type { JsonValue, TrialState } from "../../../client-sdk/src/index";

export type { JsonValue, TrialState };

/** A trial as the study page holds it: enough for every chart and the table, no curves. */
export interface TrialRow {
  id: string;
  number: number;
  state: TrialState;
  values: number[] | null;
  params: Record<string, JsonValue>;
  startedAt: string | null;
  completedAt: string | null;
}

export interface ParamSpecView {
  name: string;
  type: "FLOAT" | "INT" | "CATEGORICAL";
  low: number | null;
  high: number | null;
  log: boolean;
  choices: JsonValue[] | null;
}

export interface StudyView {
  id: string;
  name: string;
  directions: ("MINIMIZE" | "MAXIMIZE")[];
  objectiveMetric: string;
  createdAt: string;
  sampler: { type: string; seed: number | null; options: JsonValue | null };
  pruner: { type: string; options: JsonValue | null };
  searchSpace: ParamSpecView[];
  userAttrs: JsonValue;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
