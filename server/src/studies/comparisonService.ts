import type { Database } from "../db/database";
import { BadUserInputError, NotFoundError } from "../errors";
import type { JsonValue, TrialState } from "../optimization";
import { normaliseCurves, type CurvePoint, type CurveScale, type RawCurvePoint } from "./bestSoFarCurves";
import { parseId } from "./ids";
import { checkName } from "./inputChecks";
import { studyFromRow, trialColumns, trialFromRow, type StudyRecord, type TrialRecord } from "./records";
import { namesProject, studyFilterParams, type StudyFilterRequest } from "./studyFilter";

/** What the x of a best-so-far curve measures. */
export type CurveAxis = "TRIAL_NUMBER" | "ELAPSED_TIME";

export interface CompareStudiesRequest {
  filter?: StudyFilterRequest | null;
  /** Page size; default 20, at most 100. */
  first?: number | null;
  /** The last study id of the previous page. */
  afterId?: string | null;
  /** Most points per curve; default 200, at least 2, at most 10,000. */
  maxCurvePoints?: number | null;
  /** Default TRIAL_NUMBER. */
  axis?: CurveAxis | null;
  /** The projects the caller may see; null (the default): every project. */
  visibleProjectIds?: readonly string[] | null;
}

export interface ComparedStudy {
  study: StudyRecord;
  counts: Record<Lowercase<TrialState> | "total", number>;
  /** Per objective, the best value a COMPLETE trial reached (each objective on its own); null without one. */
  bestValues: number[] | null;
  bestSoFar: CurvePoint[];
}

export interface StudyComparison {
  entries: ComparedStudy[];
  hasNextPage: boolean;
  totalCount: number;
  axis: CurveAxis;
  /** Null when no compared study has a COMPLETE trial. */
  scale: CurveScale | null;
}

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

const STUDY_FIELDS = "id, project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs, tags, note, created_at";

/**
 * One statement for a whole page of compared studies: the filter, the page, each study's counts
 * by state, best values and best-so-far curve (only the trials where the best improved, and the
 * last one: a step curve needs nothing else). The summary row comes first even when the page is
 * empty, so the total and the project check never need a second round trip.
 */
const COMPARE_STUDIES_SQL = `
WITH proj AS (
  SELECT id FROM projects
  WHERE ($1::bigint IS NOT NULL OR $2::text IS NOT NULL)
    AND ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR name = $2)
    AND ($11::bigint[] IS NULL OR id = ANY($11::bigint[]))
), matched AS (
  SELECT s.id FROM studies s
  WHERE (($1::bigint IS NULL AND $2::text IS NULL) OR s.project_id IN (SELECT id FROM proj))
    AND ($11::bigint[] IS NULL OR s.project_id = ANY($11::bigint[]))
    AND ($3::bigint[] IS NULL OR s.id = ANY($3::bigint[]))
    AND ($4::text[] IS NULL OR s.tags @> $4::text[])
    AND ($5::text IS NULL OR s.name ILIKE $5)
    AND ($6::timestamptz IS NULL OR s.created_at >= $6)
    AND ($7::timestamptz IS NULL OR s.created_at < $7)
), page AS (
  SELECT ${STUDY_FIELDS} FROM studies
  WHERE id IN (SELECT id FROM matched) AND ($8::bigint IS NULL OR id > $8)
  ORDER BY id LIMIT $9
)
SELECT summary.total, summary.projects, p.*
FROM (SELECT (SELECT count(*) FROM matched) AS total, (SELECT count(*) FROM proj) AS projects) summary
LEFT JOIN LATERAL (
  SELECT pg.*, counts.by_state, best.best_values, curve.points, origin.origin_ms
  FROM page pg
  LEFT JOIN LATERAL (
    SELECT json_object_agg(c.state, c.n) AS by_state
    FROM (SELECT t.state, count(*) AS n FROM trials t WHERE t.study_id = pg.id GROUP BY t.state) c
  ) counts ON true
  LEFT JOIN LATERAL (
    SELECT array_agg(CASE WHEN pg.directions[b.i] = 'MAXIMIZE' THEN b.mx ELSE b.mn END ORDER BY b.i) AS best_values
    FROM (
      SELECT i, min(t."values"[i]) AS mn, max(t."values"[i]) AS mx
      FROM trials t CROSS JOIN generate_series(1, cardinality(pg.directions)) AS i
      WHERE t.study_id = pg.id AND t.state = 'COMPLETE'
      GROUP BY i
    ) b
  ) best ON true
  LEFT JOIN LATERAL (
    SELECT (extract(epoch FROM min(coalesce(t.started_at, t.created_at))) * 1000)::float8 AS origin_ms
    FROM trials t WHERE t.study_id = pg.id
  ) origin ON true
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_array(r.number, r.ms, r.best) ORDER BY r.ord) AS points
    FROM (
      SELECT r.*, lag(r.best) OVER (ORDER BY r.ord) AS previous, count(*) OVER () AS n
      FROM (
        SELECT t.number, (extract(epoch FROM t.completed_at) * 1000)::float8 AS ms,
          CASE WHEN pg.directions[1] = 'MAXIMIZE' THEN max(t.objective_value) OVER w ELSE min(t.objective_value) OVER w END AS best,
          row_number() OVER w AS ord
        FROM trials t
        WHERE t.study_id = pg.id AND t.state = 'COMPLETE' AND t.objective_value IS NOT NULL
          AND (NOT $10::boolean OR t.completed_at IS NOT NULL)
        WINDOW w AS (ORDER BY CASE WHEN $10::boolean THEN t.completed_at END, t.number ROWS UNBOUNDED PRECEDING)
      ) r
    ) r
    WHERE r.previous IS NULL OR r.best <> r.previous OR r.ord = r.n
  ) curve ON true
) p ON true
ORDER BY p.id`;

/** Team-wide comparison: many studies side by side, and trials across studies. */
export class ComparisonService {
  constructor(private readonly db: Database) {}

  async compareStudies(request: CompareStudiesRequest): Promise<StudyComparison> {
    const first = bounded(request.first, 20, 0, 100, "first");
    const maxCurvePoints = bounded(request.maxCurvePoints, 200, 2, 10_000, "maxCurvePoints");
    const axis = request.axis ?? "TRIAL_NUMBER";
    const filterParams = studyFilterParams(request.filter);
    const rows = await this.db.query<Record<string, any>>(COMPARE_STUDIES_SQL, [
      ...filterParams,
      request.afterId ?? null,
      first + 1,
      axis === "ELAPSED_TIME",
      request.visibleProjectIds ?? null,
    ]);
    const summary = rows[0];
    const project = namesProject(request.filter);
    if (project !== null && Number(summary.projects) === 0) {
      throw new NotFoundError("project", project);
    }
    const studyRows = rows.filter((r) => r.id != null);
    const page = studyRows.slice(0, first);
    const raw = page.map((r) => ({ direction: r.directions[0], points: curvePoints(r, axis) }));
    const { curves, scale } = normaliseCurves(raw, maxCurvePoints);
    return {
      entries: page.map((r, i) => ({
        study: studyFromRow(r),
        counts: countsOf(r.by_state ?? {}),
        bestValues: r.best_values ?? null,
        bestSoFar: curves[i],
      })),
      hasNextPage: studyRows.length > first,
      totalCount: Number(summary.total),
      axis,
      scale,
    };
  }

  /**
   * Finished trials of several studies over the parameters they share, for parallel coordinates
   * across studies. Two statements whatever the number of studies.
   */
  async compareTrials(request: CompareTrialsRequest): Promise<TrialComparison> {
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

    const found = await this.db.query<{ id: string }>(
      `SELECT id FROM studies WHERE id = ANY($1::bigint[]) AND ($2::bigint[] IS NULL OR project_id = ANY($2::bigint[]))`,
      [ids, request.visibleProjectIds ?? null],
    );
    const missing = ids.find((id) => !found.some((r) => String(r.id) === id));
    if (missing) throw new NotFoundError("study", missing);

    const rows = await this.db.query<Record<string, any>>(
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

function curvePoints(row: Record<string, any>, axis: CurveAxis): RawCurvePoint[] {
  const points = (row.points ?? []) as [number, number | null, number][];
  const origin: number | null = row.origin_ms;
  return points.map(([trialNumber, ms, value]) => ({
    x: axis === "TRIAL_NUMBER" ? trialNumber : ((ms ?? 0) - (origin ?? 0)) / 1000,
    trialNumber,
    completedAt: ms == null ? null : new Date(ms),
    value,
  }));
}

function countsOf(byState: Partial<Record<TrialState, number>>): ComparedStudy["counts"] {
  const n = (s: TrialState) => Number(byState[s] ?? 0);
  const counts = { waiting: n("WAITING"), running: n("RUNNING"), complete: n("COMPLETE"), pruned: n("PRUNED"), fail: n("FAIL") };
  return { ...counts, total: counts.waiting + counts.running + counts.complete + counts.pruned + counts.fail };
}

function bounded(value: number | null | undefined, fallback: number, min: number, max: number, field: string): number {
  if (value == null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be an integer from ${min} to ${max} (got ${value}).`, field);
  }
  return value;
}
