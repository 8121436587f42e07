import type { Database } from "../db/database";
import { BadUserInputError } from "../errors";
import type { JsonValue, ParamSpec, TrialState } from "../optimization";
import { paramImportances, type ImportanceMethod, type ImportanceTrial, type ParamImportance } from "../optimization/importance";
import type { StudyRecord } from "./records";

export interface ImportanceRequest {
  method: ImportanceMethod;
  /** Index of the objective rated, for a study with several directions. */
  objective: number;
  /** The trial states counted as finished; trials without an objective value are skipped. */
  states: TrialState[];
}

/**
 * Hyperparameter importances of a study, computed on request from its finished trials (one
 * query) by the pure evaluators of optimization/importance. Nothing is cached: an answer always
 * reflects the trials as they are.
 */
export class ImportanceService {
  constructor(private readonly db: Database) {}

  async paramImportances(study: StudyRecord, request: ImportanceRequest): Promise<ParamImportance[]> {
    const { objective, states } = request;
    const directions = study.directions.length;
    if (!Number.isInteger(objective) || objective < 0 || objective >= directions) {
      throw new BadUserInputError(
        `objective ${objective} is not an objective of study "${study.name}": pass an index from 0 to ${directions - 1}.`,
        "objective",
      );
    }
    if (states.length === 0) return [];
    const rows = await this.db.query<{ params: Record<string, JsonValue>; distributions: Record<string, ParamSpec>; value: number | null }>(
      `SELECT params, distributions, "values"[$3::int] AS value FROM trials
       WHERE study_id = $1 AND state = ANY($2::trial_state[]) AND "values"[$3::int] IS NOT NULL
       ORDER BY number`,
      [study.id, states, objective + 1],
    );
    const trials: ImportanceTrial[] = rows.map((r) => ({ params: r.params, value: Number(r.value) }));
    if (trials.length < 2) return [];
    return paramImportances(request.method, { specs: ratedSpecs(study.searchSpace, rows), trials, direction: study.directions[objective] });
  }
}

/**
 * The declared parameters, then any define-by-run ones the trials suggested, each with the
 * distribution it was first suggested with.
 */
function ratedSpecs(declared: ParamSpec[], rows: { distributions: Record<string, ParamSpec> }[]): ParamSpec[] {
  const specs = new Map(declared.map((s) => [s.name, s]));
  for (const row of rows) {
    for (const [name, spec] of Object.entries(row.distributions ?? {})) if (!specs.has(name)) specs.set(name, { ...spec, name });
  }
  return [...specs.values()];
}
