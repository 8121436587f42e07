import { fanovaImportances, type FanovaOptions } from "./fanova";
import { pedAnovaImportances, type PedAnovaOptions } from "./pedAnova";
import type { ImportanceInput, ParamImportance } from "./types";

export type { ImportanceInput, ImportanceTrial, ParamImportance } from "./types";
export { fanovaImportances, type FanovaOptions } from "./fanova";
export { pedAnovaImportances, type PedAnovaOptions } from "./pedAnova";

/** The evaluators the API offers. */
export type ImportanceMethod = "PED_ANOVA" | "FANOVA";

/**
 * Rates each parameter's share of the importance with the given method: one entry per spec,
 * shares summing to 1 (0 each when no parameter can vary), most important first. Fewer than 2
 * trials with a finite value give an empty list.
 */
export function paramImportances(
  method: ImportanceMethod,
  input: ImportanceInput,
  options: { pedAnova?: PedAnovaOptions; fanova?: FanovaOptions } = {},
): ParamImportance[] {
  return method === "FANOVA" ? fanovaImportances(input, options.fanova) : pedAnovaImportances(input, options.pedAnova);
}
