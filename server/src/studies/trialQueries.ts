import type { Database } from "../db/database";
import type { TrialState } from "../optimization";
import { isValidId } from "./ids";
import { trialColumns, trialFromRow, type TrialRecord } from "./records";
import { arrayParam } from "../db/arrayParam";

export interface TrialPageRequest {
  studyId: string;
  /** Trials with a number above this one (the previous page's last). */
  afterNumber: number | null;
}

/** Read paths that dashboards hit for many studies at once: each is one query for all keys. */
export class TrialQueries {
  constructor(private readonly db: Database) {}

  async findMany(ids: readonly string[]): Promise<Map<string, TrialRecord>> {
    const rows = await this.db.query(`SELECT ${trialColumns("t")} FROM trials t WHERE t.id = ANY(${arrayParam(1, "bigint")})`, [ids.filter(isValidId)]);
    return new Map(rows.map((r) => [String(r.id), trialFromRow(r)]));
  }

  /** Counts per state, for each study. */
  async countsByState(studyIds: readonly string[]): Promise<Map<string, Partial<Record<TrialState, number>>>> {
    const rows = await this.db.query<{ study_id: string; state: TrialState; n: string }>(
      `SELECT study_id, state, count(*) AS n FROM trials WHERE study_id = ANY(${arrayParam(1, "bigint")}) GROUP BY study_id, state`,
      [studyIds],
    );
    const out = new Map<string, Partial<Record<TrialState, number>>>();
    for (const r of rows) {
      const counts = out.get(String(r.study_id)) ?? {};
      counts[r.state] = Number(r.n);
      out.set(String(r.study_id), counts);
    }
    return out;
  }

  /** When each study's trials last started or finished (studies without trials are absent). */
  async lastActivity(studyIds: readonly string[]): Promise<Map<string, Date>> {
    const rows = await this.db.query<{ study_id: string; at: Date }>(
      `SELECT study_id, max(greatest(created_at, started_at, completed_at)) AS at
       FROM trials WHERE study_id = ANY(${arrayParam(1, "bigint")}) GROUP BY study_id`,
      [studyIds],
    );
    return new Map(rows.map((r) => [String(r.study_id), r.at]));
  }

  /** The best COMPLETE trial of each single-objective study (one index probe per study). */
  async bestOfStudies(studyIds: readonly string[]): Promise<Map<string, TrialRecord>> {
    const rows = await this.db.query(
      `SELECT ${trialColumns("b")} FROM studies s
       CROSS JOIN LATERAL (
         (SELECT * FROM trials t WHERE s.directions[1] = 'MINIMIZE' AND t.study_id = s.id AND t.state = 'COMPLETE'
          ORDER BY t.objective_value ASC, t.number LIMIT 1)
         UNION ALL
         (SELECT * FROM trials t WHERE s.directions[1] = 'MAXIMIZE' AND t.study_id = s.id AND t.state = 'COMPLETE'
          ORDER BY t.objective_value DESC, t.number LIMIT 1)
       ) b
       WHERE s.id = ANY($1::bigint[]) AND cardinality(s.directions) = 1`,
      [studyIds],
    );
    return new Map(rows.map((r) => [String(r.study_id), trialFromRow(r)]));
  }

  /** Every COMPLETE trial's values, for Pareto fronts. */
  async completeTrials(studyId: string): Promise<TrialRecord[]> {
    const rows = await this.db.query(
      `SELECT ${trialColumns("t")} FROM trials t WHERE t.study_id = $1 AND t.state = 'COMPLETE' ORDER BY t.number`,
      [studyId],
    );
    return rows.map(trialFromRow);
  }

  /**
   * One page of trials for each request, in number order, filtered by state; `limit + 1` rows are
   * read so the caller knows whether a next page exists.
   */
  async pages(
    requests: readonly TrialPageRequest[],
    limit: number,
    states: TrialState[] | null,
  ): Promise<Map<string, TrialRecord[]>> {
    const rows = await this.db.query(
      `SELECT k.ord, ${trialColumns("p")} FROM unnest($1::bigint[], $2::int[]) WITH ORDINALITY AS k(study_id, after, ord)
       CROSS JOIN LATERAL (
         SELECT * FROM trials t
         WHERE t.study_id = k.study_id AND (k.after IS NULL OR t.number > k.after)
           AND ($3::trial_state[] IS NULL OR t.state = ANY($3::trial_state[]))
         ORDER BY t.number LIMIT $4
       ) p
       ORDER BY k.ord, p.number`,
      [requests.map((r) => r.studyId), requests.map((r) => r.afterNumber), states, limit + 1],
    );
    const out = new Map<string, TrialRecord[]>();
    for (const r of rows) {
      const key = pageKey(requests[Number(r.ord) - 1]);
      const list = out.get(key) ?? [];
      list.push(trialFromRow(r));
      out.set(key, list);
    }
    return out;
  }

  /** One page of a search's trials by number (limit + 1 rows, so the caller sees whether more follow). */
  async searchPage(searchId: string, afterNumber: number | null, states: TrialState[] | null, limit: number): Promise<TrialRecord[]> {
    const rows = await this.db.query(
      `SELECT ${trialColumns("t")} FROM trials t
       WHERE t.search_id = $1 AND ($2::int IS NULL OR t.number > $2)
         AND ($3::trial_state[] IS NULL OR t.state = ANY($3::trial_state[]))
       ORDER BY t.number LIMIT $4`,
      [searchId, afterNumber, states, limit + 1],
    );
    return rows.map(trialFromRow);
  }
}

export function pageKey(r: TrialPageRequest): string {
  return `${r.studyId}:${r.afterNumber ?? ""}`;
}
