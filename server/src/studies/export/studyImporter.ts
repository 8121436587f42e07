import type { Sql } from "../../db/database";
import { ConflictError } from "../../errors";
import type { ParsedStudy } from "./studyDocumentParser";

/** Points per INSERT: large enough to be few statements, small enough to keep each one's memory modest. */
const POINTS_PER_STATEMENT = 50_000;

// Microsecond counts back to timestamps, in exact integer arithmetic.
const FROM_MICROS = (column: string) => `CASE WHEN ${column} IS NULL THEN NULL ELSE timestamptz 'epoch' + ${column} * interval '1 microsecond' END`;

/**
 * Writes a checked export as a new study of `projectId` named `name`, with batched inserts: one
 * statement for the study, one for every trial, one for every series, one per 50,000 points, and
 * one that archives the series of finished trials.
 * Run it inside one transaction: a failure anywhere leaves nothing behind. Returns the new id.
 */
export async function writeStudy(sql: Sql, parsed: ParsedStudy, projectId: string, name: string): Promise<string> {
  const { study, trials } = parsed;
  const [created] = await sql.query<{ id: string }>(
    `INSERT INTO studies (project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs,
       tags, note, sampler_state, next_trial_number, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, ${FROM_MICROS("$13::int8")})
     ON CONFLICT (project_id, name) DO NOTHING RETURNING id`,
    [
      projectId,
      name,
      study.directions,
      JSON.stringify(study.searchSpace),
      JSON.stringify(study.sampler),
      JSON.stringify(study.pruner),
      study.objectiveMetric,
      JSON.stringify(study.userAttrs),
      study.tags,
      study.note,
      study.samplerState === null ? null : JSON.stringify(study.samplerState),
      study.nextTrialNumber,
      study.createdUs,
    ],
  );
  if (!created) {
    throw new ConflictError(`a study named "${name}" already exists; pass another name to importStudy.`, "name");
  }
  const studyId = String(created.id);
  if (trials.length === 0) return studyId;

  // Lists of lists (values, tags) do not fit a SQL array of arrays when their lengths differ, so
  // they travel as JSON and are unpacked row by row.
  const inserted = await sql.query<{ id: string; number: number }>(
    `INSERT INTO trials (study_id, number, state, params, distributions, "values", objective_value, user_attrs, tags, note,
       prune_reason, fail_reason, owner, ask_key, created_at, started_at, completed_at, heartbeat_at)
     SELECT $1, i.number, i.state, i.params, i.distributions, v.vals, v.vals[1], i.user_attrs,
       ARRAY(SELECT jsonb_array_elements_text(i.tags)), i.note, i.prune_reason, i.fail_reason, i.owner, i.ask_key,
       ${FROM_MICROS("i.created_us")}, ${FROM_MICROS("i.started_us")}, ${FROM_MICROS("i.completed_us")}, ${FROM_MICROS("i.heartbeat_us")}
     FROM unnest($2::int[], $3::trial_state[], $4::jsonb[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::jsonb[], $9::text[],
       $10::text[], $11::text[], $12::text[], $13::text[], $14::int8[], $15::int8[], $16::int8[], $17::int8[])
       AS i(number, state, params, distributions, vals, user_attrs, tags, note, prune_reason, fail_reason, owner, ask_key,
         created_us, started_us, completed_us, heartbeat_us)
     CROSS JOIN LATERAL (
       SELECT CASE WHEN jsonb_typeof(i.vals) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(i.vals)::float8) END AS vals
     ) v
     RETURNING id, number`,
    [
      studyId,
      trials.map((t) => t.number),
      trials.map((t) => t.state),
      trials.map((t) => JSON.stringify(t.params)),
      trials.map((t) => JSON.stringify(t.distributions)),
      trials.map((t) => JSON.stringify(t.values)),
      trials.map((t) => JSON.stringify(t.userAttrs)),
      trials.map((t) => JSON.stringify(t.tags)),
      trials.map((t) => t.note),
      trials.map((t) => t.pruneReason),
      trials.map((t) => t.failReason),
      trials.map((t) => t.owner),
      trials.map((t) => t.askKey),
      trials.map((t) => t.createdUs),
      trials.map((t) => t.startedUs),
      trials.map((t) => t.completedUs),
      trials.map((t) => t.heartbeatUs),
    ],
  );
  const idOf = new Map(inserted.map((r) => [r.number, String(r.id)]));

  const retries = trials.filter((t) => t.retryOf !== null);
  if (retries.length) {
    await sql.query(
      `UPDATE trials t SET retry_of = r.retry_of FROM unnest($1::bigint[], $2::bigint[]) AS r(id, retry_of) WHERE t.id = r.id`,
      [retries.map((t) => idOf.get(t.number)), retries.map((t) => idOf.get(t.retryOf!))],
    );
  }

  const series = trials.flatMap((t) => t.metrics.map((m) => ({ trialId: idOf.get(t.number)!, ...m })));
  if (series.length === 0) return studyId;
  const seriesRows = await sql.query<{ id: string; trial_id: string; name: string }>(
    `INSERT INTO metric_series (trial_id, name) SELECT * FROM unnest($1::bigint[], $2::text[]) RETURNING id, trial_id, name`,
    [series.map((s) => s.trialId), series.map((s) => s.name)],
  );
  const seriesId = new Map(seriesRows.map((r) => [`${r.trial_id}\u0000${r.name}`, String(r.id)]));

  let ids: string[] = [];
  let steps: number[] = [];
  let values: number[] = [];
  let times: number[] = [];
  const flush = async () => {
    if (ids.length === 0) return;
    await sql.query(
      `INSERT INTO metric_points (series_id, step, value, time)
       SELECT p.series_id, p.step, p.value, ${FROM_MICROS("p.us")} FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::int8[]) AS p(series_id, step, value, us)`,
      [arrayLiteral(ids), arrayLiteral(steps), arrayLiteral(values), arrayLiteral(times)],
    );
    ids = [];
    steps = [];
    values = [];
    times = [];
  };
  for (const s of series) {
    const id = seriesId.get(`${s.trialId}\u0000${s.name}`)!;
    for (let i = 0; i < s.steps.length; i++) {
      ids.push(id);
      steps.push(s.steps[i]);
      values.push(s.values[i]);
      times.push(s.timesUs[i]);
      if (ids.length === POINTS_PER_STATEMENT) await flush();
    }
  }
  await flush();
  // Finished trials' series are stored as arrays, as a trial's finish would have left them.
  const finished = trials.filter((t) => t.state !== "RUNNING" && t.state !== "WAITING").map((t) => idOf.get(t.number)!);
  if (finished.length) await sql.query(`SELECT archive_trial_metrics($1::bigint[])`, [arrayLiteral(finished)]);
  return studyId;
}

/**
 * A PostgreSQL array literal of numbers (or digit strings), built in one join: the driver's own
 * conversion quotes and escapes element by element, a real share of the time at 50,000 points.
 */
function arrayLiteral(items: Array<number | string>): string {
  return `{${items.join(",")}}`;
}
