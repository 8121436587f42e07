import type { Sql } from "../db/database";
import type { StudyView, TrialView } from "../optimization";
import type { StudyRecord } from "./records";
import { arrayParam } from "../db/arrayParam";

type StudyKey = Pick<StudyRecord, "id" | "directions" | "searchSpace" | "objectiveMetric">;

/** How many studies' finished trials one process keeps; least recently used go first. */
const MAX_CACHED_STUDIES = 32;

/**
 * The history samplers and pruners see: every trial of a study but WAITING ones, with values and
 * the objective metric's curve. Finished trials never change (reports and tells on them are
 * refused), so each process loads a finished trial once and keeps it; only RUNNING trials are
 * read afresh. That keeps an ask or a pruning decision on a study of thousands of trials from
 * re-reading hundreds of thousands of points, and stays correct with any number of replicas.
 */
export class TrialHistory {
  private readonly finished = new Map<string, Map<string, TrialView>>();

  async load(sql: Sql, study: StudyKey, options: { excludeTrialId?: string } = {}): Promise<StudyView> {
    const index = await sql.query<{ id: string; number: number; state: string }>(
      `SELECT id, number, state FROM trials WHERE study_id = $1 AND state <> 'WAITING' ORDER BY number`,
      [study.id],
    );
    const cache = this.cacheOf(study.id);
    const toRead = index
      .filter((t) => String(t.id) !== options.excludeTrialId && (t.state === "RUNNING" || !cache.has(String(t.id))))
      .map((t) => String(t.id));
    const fresh = toRead.length ? await this.read(sql, study, toRead) : new Map<string, TrialView>();
    const trials: TrialView[] = [];
    for (const t of index) {
      const id = String(t.id);
      if (id === options.excludeTrialId) continue;
      const view = fresh.get(id) ?? cache.get(id);
      if (!view) continue; // deleted or changed state between the two reads: next time
      if (view.state !== "RUNNING") cache.set(id, view);
      trials.push(view);
    }
    return { directions: study.directions, searchSpace: study.searchSpace, trials };
  }

  /** Reads trials with their objective curves (two queries, whatever their number). */
  private async read(sql: Sql, study: StudyKey, ids: string[]): Promise<Map<string, TrialView>> {
    const [rows, points] = await Promise.all([
      sql.query<Record<string, any>>(
        `SELECT id, number, state, params, distributions, "values" FROM trials WHERE id = ANY(${arrayParam(1, "bigint")})`,
        [ids],
      ),
      sql.query<{ trial_id: string; step: number; value: number }>(
        `SELECT ms.trial_id, p.step, p.value FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p
         WHERE ms.trial_id = ANY(${arrayParam(1, "bigint")}) AND ms.name = $2 ORDER BY ms.trial_id, p.step`,
        [ids, study.objectiveMetric],
      ),
    ]);
    const out = new Map<string, TrialView>();
    for (const r of rows) {
      out.set(String(r.id), {
        number: r.number,
        state: r.state,
        params: pickDistributed(r.params, r.distributions),
        distributions: r.distributions,
        values: r.values,
        intermediateValues: [],
      });
    }
    for (const p of points) out.get(String(p.trial_id))?.intermediateValues.push({ step: p.step, value: p.value });
    return out;
  }

  private cacheOf(studyId: string): Map<string, TrialView> {
    let cache = this.finished.get(studyId);
    if (cache) {
      this.finished.delete(studyId); // re-insert: most recently used last
    } else {
      cache = new Map();
      if (this.finished.size >= MAX_CACHED_STUDIES) this.finished.delete(this.finished.keys().next().value!);
    }
    this.finished.set(studyId, cache);
    return cache;
  }
}

/** Only parameters with a known distribution are part of a sampler's history. */
export function pickDistributed(params: Record<string, any>, distributions: Record<string, any>) {
  const out: Record<string, any> = {};
  for (const name of Object.keys(distributions)) if (name in params) out[name] = params[name];
  return out;
}
