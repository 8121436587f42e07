import type { Sql } from "../../db/database";
import { NotFoundError } from "../../errors";
import { parseId } from "../ids";
import { isoFromMicros } from "./microseconds";
import { STUDY_EXPORT_FORMAT, STUDY_EXPORT_VERSION, type SeriesPart, type StudyDocument, type TrialPart } from "./studyDocument";

// Timestamps leave the database as microsecond counts (int8, exact), not as JavaScript Dates.
const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::int8`;

/**
 * Reads a whole study into its export document: three statements, whatever its size. Run it in a
 * REPEATABLE READ transaction for a consistent picture of a study that is still running.
 */
export async function readStudyDocument(sql: Sql, studyId: string): Promise<StudyDocument> {
  parseId("study", studyId);
  const [study] = await sql.query<Record<string, any>>(
    `SELECT name, directions, search_space, sampler, pruner, objective_metric, user_attrs, tags, note,
       sampler_state, next_trial_number, ${micros("created_at")} AS created_us
     FROM studies WHERE id = $1`,
    [studyId],
  );
  if (!study) throw new NotFoundError("study", studyId);
  // One after the other: inside a transaction they share one connection anyway.
  const trialRows = await sql.query<Record<string, any>>(
    `SELECT t.id, t.number, t.state, t.params, t.distributions, t."values", t.user_attrs, t.tags, t.note,
       t.prune_reason, t.fail_reason, t.owner, t.ask_key, r.number AS retry_of_number,
       ${micros("t.created_at")} AS created_us, ${micros("t.started_at")} AS started_us,
       ${micros("t.completed_at")} AS completed_us, ${micros("t.heartbeat_at")} AS heartbeat_us
     FROM trials t LEFT JOIN trials r ON r.id = t.retry_of
     WHERE t.study_id = $1 ORDER BY t.number`,
    [studyId],
  );
  // Each series comes back as one JSON text ([steps, values, microseconds]): twice as fast as
  // arrays, which the driver parses element by element.
  const seriesRows = await sql.query<{ trial_id: string; name: string; points: string }>(
    `SELECT ms.trial_id, ms.name, a.points::text AS points
     FROM trials t JOIN metric_series ms ON ms.trial_id = t.id
     CROSS JOIN LATERAL (
       SELECT json_build_array(json_agg(p.step), json_agg(p.value), json_agg(${micros("p.time")})) AS points
       FROM (SELECT * FROM series_points(ms.id) p ORDER BY p.step) p
     ) a
     WHERE t.study_id = $1
     ORDER BY ms.trial_id, ms.name`,
    [studyId],
  );
  const seriesByTrial = new Map<string, SeriesPart[]>();
  for (const s of seriesRows) {
    const [steps, values, us] = JSON.parse(s.points) as [number[] | null, number[] | null, number[] | null];
    const list = seriesByTrial.get(String(s.trial_id)) ?? [];
    list.push(seriesPart(s.name, steps ?? [], values ?? [], us ?? []));
    seriesByTrial.set(String(s.trial_id), list);
  }
  const iso = (us: string | null) => (us == null ? null : isoFromMicros(Number(us)));
  const trials: TrialPart[] = trialRows.map((t) => ({
    number: t.number,
    state: t.state,
    params: t.params,
    distributions: t.distributions,
    values: t.values,
    userAttrs: t.user_attrs,
    tags: t.tags,
    note: t.note,
    pruneReason: t.prune_reason,
    failReason: t.fail_reason,
    owner: t.owner,
    askKey: t.ask_key,
    retryOf: t.retry_of_number ?? null,
    createdAt: iso(t.created_us)!,
    startedAt: iso(t.started_us),
    completedAt: iso(t.completed_us),
    heartbeatAt: iso(t.heartbeat_us),
    metrics: seriesByTrial.get(String(t.id)) ?? [],
  }));
  return {
    format: STUDY_EXPORT_FORMAT,
    version: STUDY_EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    study: {
      name: study.name,
      directions: study.directions,
      searchSpace: study.search_space,
      sampler: study.sampler,
      pruner: study.pruner,
      objectiveMetric: study.objective_metric,
      userAttrs: study.user_attrs,
      tags: study.tags,
      note: study.note,
      createdAt: isoFromMicros(Number(study.created_us)),
      samplerState: study.sampler_state,
      nextTrialNumber: study.next_trial_number,
    },
    trials,
  };
}

function seriesPart(name: string, steps: number[], values: number[], us: number[]): SeriesPart {
  let base: number | null = null;
  for (const u of us) if (base === null || u < base) base = u;
  return {
    name,
    steps,
    values,
    timeBase: base == null ? null : isoFromMicros(base),
    timeOffsetsUs: us.map((u) => u - base!),
  };
}
