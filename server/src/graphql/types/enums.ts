import { registerEnumType } from "type-graphql";

export enum StudyDirection {
  MINIMIZE = "MINIMIZE",
  MAXIMIZE = "MAXIMIZE",
}
export enum TrialState {
  WAITING = "WAITING",
  RUNNING = "RUNNING",
  COMPLETE = "COMPLETE",
  PRUNED = "PRUNED",
  FAIL = "FAIL",
}
export enum ParamType {
  FLOAT = "FLOAT",
  INT = "INT",
  CATEGORICAL = "CATEGORICAL",
}

registerEnumType(StudyDirection, { name: "StudyDirection" });
registerEnumType(TrialState, { name: "TrialState" });
registerEnumType(ParamType, { name: "ParamType" });
