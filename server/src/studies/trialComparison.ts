import type { Database } from "../db/database";
import { BadUserInputError, NotFoundError } from "../errors";
import type { JsonValue, TrialState } from "../optimization";
import { bounded } from "./bounded";
import { parseId } from "./ids";
import { checkName } from "./inputChecks";
import { trialColumns, trialFromRow, type TrialRecord } from "./records";

export interface CompareTrialsRequest {
  studyIds: string[];
  /** The parameters to compare; default: the names every compared study's trials have. */
  params?: string[] | null;
  /** Most trials per study (the first by number); default 1,000, at most 10,000. */
  first?: number | null;
  /** Default COMPLETE; only finished states. */
  states?: TrialState[] | null;
  /** The projects the caller may see; null (the default): every project. A study elsewhere is NOT_FOUND. */
  visibleProjectIds?: readonly string[] | null;
}

export interface ComparedTrial {
  studyId: string;
  trial: TrialRecord;
  /** The compared parameters only; a trial without one of them lacks that key. */
  params: Record<string, JsonValue>;
}

export interface TrialComparison {
  params: string[];
  trials: ComparedTrial[];
  /** Whether some study had more trials than `first`. */
  hasMore: boolean;
}

const FINISHED: TrialState[] = ["COMPLETE", "PRUNED", "FAIL"];

/**
 * Finished trials of several studies over the parameters they share, for parallel coordinates
 * across studies. Two statements whatever the number of studies.
 */
export async function compareTrials(db: Database, request: CompareTrialsRequest): Promise<TrialComparison> {
  const ids = [...new Set(request.studyIds)];
  if (ids.length === 0) throw new BadUserInputError("studyIds must name at least one study.", "studyIds");
  if (ids.length > 50) throw new BadUserInputError(`studyIds names ${ids.length} studies; compare at most 50 at once.`, "studyIds");
  ids.forEach((id) => parseId("study", id));
  const first = bounded(request.first, 1000, 1, 10_000, "first");
  const states = request.states?.length ? [...new Set(request.states)] : ["COMPLETE" as TrialState];
  const unfinished = states.find((s) => !FINISHED.includes(s));
  if (unfinished) {
    throw new BadUserInputError(`states may hold finished states only (COMPLETE, PRUNED, FAIL), not ${unfinished}.`, "states");
  }
  const wanted = request.params == null ? null : request.params.map((p, i) => checkName(p, `params[${i}]`));
  if (wanted && wanted.length === 0) throw new BadUserInputError("params must name at least one parameter, or be left out.", "params");

  const found = await db.query<{ id: string }>(
    `SELECT id FROM studies WHERE id = ANY($1::bigint[]) AND ($2::bigint[] IS NULL OR project_id = ANY($2::bigint[]))`,
    [ids, request.visibleProjectIds ?? null],
  );
  const missing = ids.find((id) => !found.some((r) => String(r.id) === id));
  if (missing) throw new NotFoundError("study", missing);

  const rows = await db.query<Record<string, any>>(
    `SELECT k.ord, ${trialColumns("p")} FROM unnest($1::bigint[]) WITH ORDINALITY AS k(study_id, ord)
     CROSS JOIN LATERAL (
       SELECT * FROM trials t WHERE t.study_id = k.study_id AND t.state = ANY($2::trial_state[])
       ORDER BY t.number LIMIT $3
     ) p
     ORDER BY k.ord, p.number`,
    [ids, states, first + 1],
  );
  const byStudy = new Map<string, TrialRecord[]>();
  for (const r of rows) {
    const trial = trialFromRow(r);
    const list = byStudy.get(trial.studyId) ?? [];
    list.push(trial);
    byStudy.set(trial.studyId, list);
  }
  let hasMore = false;
  for (const [id, list] of byStudy) {
    if (list.length > first) {
      hasMore = true;
      byStudy.set(id, list.slice(0, first));
    }
  }
  const params = wanted ?? sharedParamNames([...byStudy.values()]);
  const trials: ComparedTrial[] = [];
  for (const id of ids) {
    for (const trial of byStudy.get(id) ?? []) {
      const picked: Record<string, JsonValue> = {};
      for (const name of params) if (name in trial.params) picked[name] = trial.params[name];
      trials.push({ studyId: id, trial, params: picked });
    }
  }
  return { params, trials, hasMore };
}

/**
 * The names that at least one trial of every study (with trials) has, in the order the first
 * study's trials name them.
 */
function sharedParamNames(studies: TrialRecord[][]): string[] {
  const withTrials = studies.filter((list) => list.length > 0);
  if (withTrials.length === 0) return [];
  const namesOf = (list: TrialRecord[]) => {
    const names = new Set<string>();
    for (const t of list) for (const name of Object.keys(t.params)) names.add(name);
    return names;
  };
  const others = withTrials.slice(1).map(namesOf);
  return [...namesOf(withTrials[0])].filter((name) => others.every((names) => names.has(name)));
}
