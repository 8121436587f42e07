import type { Database, Sql } from "../db/database";
import type { ParamSpec, StudyView, TrialView } from "../optimization";
import type { StudyRecord } from "./records";

/**
 * Loads the history a sampler or pruner sees: every trial of the study but WAITING ones and the
 * one being decided, with values. Intermediate values are loaded only when asked for (pruners),
 * since they are by far the largest part.
 */
export async function loadStudyView(
  sql: Sql | Database,
  study: Pick<StudyRecord, "id" | "directions" | "searchSpace" | "objectiveMetric">,
  options: { excludeTrialId?: string; withIntermediateValues?: boolean } = {},
): Promise<StudyView> {
  const rows = await sql.query<Record<string, any>>(
    `SELECT id, number, state, params, distributions, "values" FROM trials
     WHERE study_id = $1 AND state <> 'WAITING' AND ($2::bigint IS NULL OR id <> $2)
     ORDER BY number`,
    [study.id, options.excludeTrialId ?? null],
  );
  const trials: TrialView[] = rows.map((r) => ({
    number: r.number,
    state: r.state,
    params: pickDistributed(r.params, r.distributions),
    distributions: r.distributions,
    values: r.values,
    intermediateValues: [],
  }));
  if (options.withIntermediateValues && trials.length) {
    const byId = new Map<string, TrialView>();
    rows.forEach((r, i) => byId.set(String(r.id), trials[i]));
    const points = await sql.query<{ trial_id: string; step: number; value: number }>(
      `SELECT ms.trial_id, p.step, p.value FROM metric_series ms
       JOIN trials t ON t.id = ms.trial_id
       JOIN metric_points p ON p.series_id = ms.id
       WHERE t.study_id = $1 AND ms.name = $2 AND t.state <> 'WAITING'
       ORDER BY ms.trial_id, p.step`,
      [study.id, study.objectiveMetric],
    );
    for (const p of points) byId.get(String(p.trial_id))?.intermediateValues.push({ step: p.step, value: p.value });
  }
  return { directions: study.directions, searchSpace: study.searchSpace, trials };
}

/** Only parameters with a known distribution are part of a sampler's history. */
export function pickDistributed(params: Record<string, any>, distributions: Record<string, ParamSpec>) {
  const out: Record<string, any> = {};
  for (const name of Object.keys(distributions)) if (name in params) out[name] = params[name];
  return out;
}
