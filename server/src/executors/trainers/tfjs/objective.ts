import type { DatasetKind, MlpMetric } from "../../tasks/tfjsMlpTask";
import type { Objective } from "./trainMlp";

/**
 * The objective of a trial: task.metric, with "auto" resolved from the study's direction
 * (classification: valAccuracy when it maximises, else valLoss; regression: valLoss). Returns a
 * message instead when the metric and the direction disagree, since early stopping would then
 * keep the wrong epoch.
 */
export function resolveObjective(metric: MlpMetric, kind: DatasetKind, directions: ("MINIMIZE" | "MAXIMIZE")[]): Objective | string {
  if (directions.length !== 1) {
    return `a tfjs-mlp trial gives one objective, but the study has ${directions.length} directions; create the study with one direction.`;
  }
  const maximize = directions[0] === "MAXIMIZE";
  let chosen: Objective["metric"];
  if (metric === "auto") chosen = kind === "classification" && maximize ? "valAccuracy" : "valLoss";
  else chosen = metric;
  if (kind === "regression" && chosen === "valAccuracy") return `task.metric valAccuracy needs a classification data set; use valLoss or valMae.`;
  if (kind === "classification" && chosen === "valMae") return `task.metric valMae needs a regression data set; use valAccuracy or valLoss.`;
  const metricMaximizes = chosen === "valAccuracy";
  if (metricMaximizes !== maximize) {
    return (
      `the objective ${chosen} is ${metricMaximizes ? "maximised" : "minimised"} but the study ${maximize ? "maximises" : "minimises"}; ` +
      `set the study's direction to ${metricMaximizes ? "MAXIMIZE" : "MINIMIZE"} or choose another task.metric.`
    );
  }
  return { metric: chosen, maximize };
}
