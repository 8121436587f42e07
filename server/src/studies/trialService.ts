import type { Database, Sql } from "../db/database";
import { BadUserInputError, ConflictError, NotFoundError } from "../errors";
import {
  SearchSpaceExhaustedError,
  assertValueInSpace,
  createPruner,
  isActive,
  parseParamSpec,
  sameDistribution,
  sampleUniform,
  Rng,
  type JsonValue,
  type ParamSpec,
  type RawParamSpec,
  type TrialState,
} from "../optimization";
import { isValidId, parseId } from "./ids";
import { checkFinite, checkObject } from "./inputChecks";
import { TRIAL_COLUMNS, studyFromRow, trialColumns, trialFromRow, type StudyRecord, type TrialRecord } from "./records";
import { pickDistributed, type TrialHistory } from "./trialHistory";
import { samplerView } from "../optimization/multiFidelity/samplerView";
import { createStudySampler } from "../optimization/studySampler";
import { NO_EVENTS, type EventPublisher } from "../events/eventBus";
import { AskSpeculation, type AskTry } from "./askSpeculation";

const FINISHED: TrialState[] = ["COMPLETE", "PRUNED", "FAIL"];

/**
 * The statement that finishes a RUNNING trial, one per case. None branches on its parameters, so
 * PostgreSQL keeps one generic plan for each: a single statement with CASEs on the state got a
 * custom plan on every call (0.5 ms of planning per tell).
 */
function finishStatement(trialId: string, state: TrialState, given: number[] | null, failReason?: string | null): [string, unknown[]] {
  if (given) {
    return [
      `UPDATE trials t SET state = $2::trial_state, "values" = $3::float8[], objective_value = $3[1], fail_reason = NULL, completed_at = now()
       FROM studies s
       WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND cardinality(s.directions) = cardinality($3::float8[])
       RETURNING ${trialColumns("t")}`,
      [trialId, state, given],
    ];
  }
  if (state === "PRUNED") {
    // Without values, a pruned trial keeps its last intermediate value of the objective.
    return [
      `UPDATE trials t SET state = 'PRUNED', "values" = v.vals, objective_value = v.vals[1], fail_reason = NULL, completed_at = now()
       FROM studies s
         LEFT JOIN LATERAL (SELECT ARRAY[p.value] AS vals FROM metric_series ms JOIN metric_points p ON p.series_id = ms.id
                            WHERE ms.trial_id = $1 AND ms.name = s.objective_metric ORDER BY p.step DESC LIMIT 1) v ON true
       WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING'
       RETURNING ${trialColumns("t")}`,
      [trialId],
    ];
  }
  return [
    `UPDATE trials SET state = 'FAIL', "values" = NULL, objective_value = NULL, fail_reason = $2::text, completed_at = now()
     WHERE id = $1 AND state = 'RUNNING'
     RETURNING ${TRIAL_COLUMNS}`,
    [trialId, failReason?.trim().slice(0, 2000) || null],
  ];
}

/** The trial life cycle: enqueue, ask, define-by-run suggestions, tell, prune. */
export class TrialService {
  /** One-statement asks of history-free samplers (public for tests and metrics). */
  readonly speculation = new AskSpeculation();

  constructor(
    private readonly db: Database,
    private readonly history: TrialHistory,
    private readonly events: EventPublisher = NO_EVENTS,
  ) {}

  /**
   * Called after a trial of a search finishes, so the search can retry it or end; set once by
   * whoever owns searches.
   */
  onSearchTrialFinished: ((trial: TrialRecord) => void) | null = null;

  /** Tells subscribers of a trial change; called after its transaction has committed. */
  changed(trial: TrialRecord, settleSearch = true): TrialRecord {
    this.events.publish({ type: "trialChanged", trial });
    if (settleSearch && trial.searchId && FINISHED.includes(trial.state)) this.onSearchTrialFinished?.(trial);
    return trial;
  }

  async get(id: string): Promise<TrialRecord> {
    const trial = await this.find(id);
    if (!trial) throw new NotFoundError("trial", id);
    return trial;
  }

  async find(id: string): Promise<TrialRecord | null> {
    if (!isValidId(id)) return null;
    const rows = await this.db.query(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE id = $1`, [id]);
    return rows.length ? trialFromRow(rows[0]) : null;
  }

  /**
   * Starts a trial: the oldest WAITING (enqueued) trial if there is one, else a new trial sampled
   * from the declared space. The study row is locked for the transaction, which serialises askers
   * of one study: numbers have no gaps or duplicates and the sampler's state stays consistent.
   */
  async ask(studyId: string, owner: string | null = null, askKey: string | null = null): Promise<TrialRecord> {
    parseId("study", studyId);
    if (askKey !== null && (askKey.length === 0 || askKey.length > 200)) {
      throw new BadUserInputError("askKey must be 1 to 200 characters (e.g. a random UUID per ask).", "askKey");
    }
    const attempt = await this.speculation.begin(studyId);
    if (attempt) {
      const trial = await this.askInOneStatement(attempt, owner, askKey);
      if (trial) return this.changed(trial);
    }
    // The statement that starts the trial is the transaction's last: it commits in the same round trip.
    return this.changed(
      await this.db.transaction((sql) => this.askIn(sql, studyId, owner, null, askKey, (text, params) => sql.queryAndCommit(text, params))),
    );
  }

  /**
   * ask in one statement for a history-free sampler (see AskSpeculation): samples each number of
   * the try's window first, then, under the study's lock, starts the trial with the study's next
   * number and its sample, if that number is in the window, the space is unchanged, no trial
   * waits and no trial holds the askKey. Null when any of that fails; nothing is written then.
   */
  private async askInOneStatement(attempt: AskTry, owner: string | null, askKey: string | null): Promise<TrialRecord | null> {
    const { study } = attempt;
    let taken: number | null = null;
    let seenNext: number | null = null;
    try {
      const params: string[] = [];
      const distributions: string[] = [];
      for (let i = 0; i < attempt.count; i++) {
        const sample = await this.sampleDeclaredSpace(null, study, attempt.first + i, attempt.samplerState, {});
        if (!sample.historyFree) return null;
        params.push(sample.params);
        distributions.push(sample.distributions);
      }
      const [row] = await this.db.query<Record<string, any>>(
        // The lock waits for a concurrent ask and then reads its committed row, so the checks see
        // the latest number (a condition in the locking scan itself would test the version of the
        // statement's snapshot). Enqueues and asks move the number, so trials created after the
        // snapshot are caught by it.
        `WITH s AS (
           SELECT id, next_trial_number, search_space FROM studies WHERE id = $1 FOR UPDATE
         ), ok AS (
           SELECT s.id, s.next_trial_number AS number, s.next_trial_number - $2 AS i FROM s
           WHERE s.next_trial_number >= $2 AND s.next_trial_number < $2 + jsonb_array_length($4::jsonb)
             AND s.search_space = $3::jsonb
             AND NOT EXISTS (SELECT 1 FROM trials w WHERE w.study_id = $1 AND w.state = 'WAITING' AND w.search_id IS NULL)
             AND NOT EXISTS (SELECT 1 FROM trials k WHERE k.study_id = $1 AND k.ask_key = $7)
         ), t AS (
           INSERT INTO trials (study_id, number, state, params, distributions, started_at, heartbeat_at, owner, ask_key)
           SELECT ok.id, ok.number, 'RUNNING', $4::jsonb -> ok.i, $5::jsonb -> ok.i, now(), now(), $6, $7 FROM ok
           RETURNING ${TRIAL_COLUMNS}
         ), u AS (
           UPDATE studies SET next_trial_number = ok.number + 1 FROM ok WHERE studies.id = ok.id
         )
         SELECT (SELECT next_trial_number FROM s) AS seen_next, t.* FROM (SELECT) one LEFT JOIN t ON true`,
        [study.id, attempt.first, attempt.spaceJson, `[${params.join(",")}]`, `[${distributions.join(",")}]`, owner, askKey],
      );
      if (row.id === null) {
        seenNext = row.seen_next ?? null;
        return null;
      }
      taken = row.number;
      return trialFromRow(row);
    } catch {
      // Whatever failed here, the locking way fails the same way and says why.
      return null;
    } finally {
      attempt.end(taken, seenNext);
    }
  }

  /**
   * ask's work inside the caller's transaction (a search's claim holds its own locks first); the
   * caller publishes the change after commit. `searchId` marks the trial as the search's.
   * `start` runs the final statement, which starts the trial; a caller that owns the transaction
   * may pass one that commits with it.
   */
  async askIn(
    sql: Sql,
    studyId: string,
    owner: string | null,
    searchId: string | null,
    askKey: string | null = null,
    start: Sql["query"] = (text, params) => sql.query(text, params),
  ): Promise<TrialRecord> {
    const [row] = await sql.query<Record<string, any>>(
      `SELECT s.id, s.project_id, s.name, s.directions, s.search_space, s.sampler, s.pruner, s.objective_metric,
              s.user_attrs, s.created_at, s.sampler_state, s.next_trial_number,
              w.id AS waiting_id, w.number AS waiting_number, w.params AS waiting_params
       FROM studies s
       LEFT JOIN LATERAL (
         SELECT id, number, params FROM trials
         WHERE study_id = s.id AND state = 'WAITING' AND (search_id IS NULL OR search_id = $2)
         ORDER BY number LIMIT 1
       ) w ON true
       WHERE s.id = $1
       FOR UPDATE OF s`,
      [studyId, searchId],
    );
    if (!row) throw new NotFoundError("study", studyId);
    if (askKey !== null) {
      // A retried ask (its first answer was lost) gets the trial the first try started.
      const [asked] = await sql.query(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE study_id = $1 AND ask_key = $2`, [studyId, askKey]);
      if (asked) return trialFromRow(asked);
    }
    const study = studyFromRow(row);
    const number: number = row.waiting_id ? row.waiting_number : row.next_trial_number;
    const fixed: Record<string, JsonValue> = row.waiting_id ? row.waiting_params : {};
    const sample = await this.sampleDeclaredSpace(sql, study, number, row.sampler_state, fixed);
    if (searchId === null) {
      const next = row.waiting_id ? row.next_trial_number : number + 1;
      this.speculation.learn(study, row.sampler_state, next, sample.historyFree);
    }

    if (row.waiting_id) {
      const [trial] = await start(
        `WITH t AS (
           UPDATE trials SET state = 'RUNNING', params = $2, distributions = $3, started_at = now(),
                  heartbeat_at = now(), owner = $4, search_id = coalesce(search_id, $8), ask_key = $9
           WHERE id = $1 RETURNING ${TRIAL_COLUMNS}
         ), s AS (
           UPDATE studies SET sampler_state = $5::jsonb WHERE id = $6 AND $7::boolean
         )
         SELECT * FROM t`,
        [row.waiting_id, sample.params, sample.distributions, owner, sample.state, studyId, sample.stateChanged, searchId, askKey],
      );
      return trialFromRow(trial);
    }
    const [trial] = await start(
      `WITH t AS (
         INSERT INTO trials (study_id, number, state, params, distributions, started_at, heartbeat_at, owner, search_id, ask_key)
         VALUES ($1, $2, 'RUNNING', $3, $4, now(), now(), $5, $8, $9)
         RETURNING ${TRIAL_COLUMNS}
       ), s AS (
         UPDATE studies SET next_trial_number = $2 + 1,
                sampler_state = CASE WHEN $7::boolean THEN $6::jsonb ELSE sampler_state END
         WHERE id = $1
       )
       SELECT * FROM t`,
      [studyId, number, sample.params, sample.distributions, owner, sample.state, sample.stateChanged, searchId, askKey],
    );
    return trialFromRow(trial);
  }

  /** The study's sampler and the history it learns from (none for samplers that need none). */
  private async samplerWithHistory(
    sql: Sql | null,
    study: Pick<StudyRecord, "id" | "directions" | "searchSpace" | "objectiveMetric" | "sampler" | "pruner">,
    trialNumber: number,
    excludeTrialId?: string,
  ) {
    const { sampler, multiFidelity } = createStudySampler(study.sampler);
    if (!sampler.needsHistory) {
      return { sampler, view: { directions: study.directions, searchSpace: study.searchSpace, trials: [] } };
    }
    if (!sql) throw new Error(`the ${study.sampler.type} sampler learns from history: it samples under the study's lock`);
    const full = await this.history.load(sql, study, { excludeTrialId });
    const view = study.pruner.type === "NONE" ? full : samplerView(full, createPruner(study.pruner), trialNumber, multiFidelity);
    return { sampler, view };
  }

  /** Samples the active declared parameters, keeping values that an enqueued trial fixed. */
  private async sampleDeclaredSpace(
    /** Null when sampling before the study's lock (AskSpeculation): only history-free samplers. */
    sql: Sql | null,
    study: StudyRecord,
    number: number,
    state: JsonValue | null,
    fixed: Record<string, JsonValue>,
  ) {
    const params: Record<string, JsonValue> = { ...fixed };
    const distributions: Record<string, ParamSpec> = {};
    let newState = state;
    let stateChanged = false;
    let historyFree = true;
    if (study.searchSpace.length) {
      const { sampler, view } = await this.samplerWithHistory(sql, study, number);
      historyFree = !sampler.needsHistory;
      let sampled: Record<string, JsonValue>;
      try {
        const result = sampler.sampleRelative({ study: view, trialNumber: number, state });
        sampled = result.params;
        if (result.state !== undefined) {
          newState = result.state;
          stateChanged = true;
        }
      } catch (error) {
        if (error instanceof SearchSpaceExhaustedError) {
          throw new ConflictError(`study "${study.name}" has no new point to try: ${error.message}`, "studyId");
        }
        throw error;
      }
      const rng = Rng.derive(study.sampler.seed, number, 0x5eed);
      for (const spec of study.searchSpace) {
        if (!isActive(spec, params)) {
          delete params[spec.name];
          continue;
        }
        if (!(spec.name in params)) params[spec.name] = spec.name in sampled ? sampled[spec.name] : sampleUniform(spec, rng);
        distributions[spec.name] = spec;
      }
    }
    return {
      params: JSON.stringify(params),
      distributions: JSON.stringify(distributions),
      state: newState === null ? null : JSON.stringify(newState),
      stateChanged,
      /** The sample depends on the space, the sampler's settings and the number alone. */
      historyFree: historyFree && !stateChanged,
    };
  }

  /**
   * Queues a trial with fixed parameters. Values of declared parameters must lie in their range;
   * other names are kept as fixed values for later define-by-run suggestions.
   */
  async enqueue(studyId: string, params: unknown): Promise<TrialRecord> {
    parseId("study", studyId);
    const fixed = checkObject(params, "params");
    return this.changed(await this.db.transaction(async (sql) => {
      const [row] = await sql.query<Record<string, any>>(
        `SELECT search_space, next_trial_number FROM studies WHERE id = $1 FOR UPDATE`,
        [studyId],
      );
      if (!row) throw new NotFoundError("study", studyId);
      for (const spec of row.search_space as ParamSpec[]) {
        if (spec.name in fixed) assertValueInSpace(spec, fixed[spec.name], `params.${spec.name}`);
      }
      const [trial] = await sql.query(
        `WITH t AS (
           INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'WAITING', $3)
           RETURNING ${TRIAL_COLUMNS}
         ), s AS (UPDATE studies SET next_trial_number = $2 + 1 WHERE id = $1)
         SELECT * FROM t`,
        [studyId, row.next_trial_number, JSON.stringify(fixed)],
      );
      return trialFromRow(trial);
    }));
  }

  /**
   * Finishes a RUNNING trial. COMPLETE needs one finite value per direction; PRUNED without
   * values keeps the last intermediate value of the objective metric (as Optuna does), so
   * samplers learn from it; FAIL takes no values. A finished trial cannot be told again.
   */
  async tell(
    trialId: string,
    state: TrialState,
    values: number[] | null | undefined,
    failReason?: string | null,
    /** False when the caller settles the trial's search itself (an executor's claim does). */
    settleSearch = true,
  ): Promise<TrialRecord> {
    parseId("trial", trialId);
    if (!FINISHED.includes(state)) {
      throw new BadUserInputError(`state must be COMPLETE, PRUNED or FAIL to finish a trial (got ${state}).`, "state");
    }
    if (state === "COMPLETE" && (values == null || values.length === 0)) {
      throw new BadUserInputError("values are required to tell a COMPLETE trial: one per study direction.", "values");
    }
    if (state === "FAIL" && values != null && values.length) {
      throw new BadUserInputError("a FAIL trial takes no values; omit values.", "values");
    }
    values?.forEach((v, i) => checkFinite(v, `values[${i}]`));
    const given = values && values.length ? values : null;
    // A running trial's points are all in metric_points: the trigger that archives them runs
    // once this statement has changed the state.
    const rows = await this.db.query(...finishStatement(trialId, state, given, failReason));
    if (rows.length) return this.changed(trialFromRow(rows[0]), settleSearch);
    throw await this.whyNotRunning(trialId, given);
  }

  /** Explains why a trial could not be updated: unknown, not running, or values of the wrong length. */
  private async whyNotRunning(trialId: string, values: number[] | null): Promise<Error> {
    const [row] = await this.db.query<{ state: TrialState; number: number; n: number }>(
      `SELECT t.state, t.number, cardinality(s.directions) AS n FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1`,
      [trialId],
    );
    if (!row) return new NotFoundError("trial", trialId);
    if (row.state === "WAITING") {
      return new ConflictError(`trial ${row.number} is WAITING; take it with askTrial before telling it.`, "trialId");
    }
    if (row.state !== "RUNNING") {
      return new ConflictError(`trial ${row.number} is already ${row.state}; a finished trial cannot be changed.`, "trialId");
    }
    if (values && values.length !== row.n) {
      return new BadUserInputError(`values has ${values.length} entries but the study has ${row.n} direction(s).`, "values");
    }
    return new ConflictError(`trial ${row.number} changed while it was updated; retry.`, "trialId");
  }

  /** An outside pruning decision: the trial becomes PRUNED with its last intermediate value. */
  async prune(trialId: string, reason: string | null | undefined): Promise<TrialRecord> {
    parseId("trial", trialId);
    const text = reason?.trim() || "pruned by request";
    // As in finish: the points of a running or waiting trial are not archived yet.
    const rows = await this.db.query(
      `UPDATE trials t SET state = 'PRUNED', prune_reason = $2, completed_at = now(),
         "values" = (SELECT ARRAY[p.value] FROM metric_series ms JOIN metric_points p ON p.series_id = ms.id
                     JOIN studies s ON s.id = t.study_id
                     WHERE ms.trial_id = t.id AND ms.name = s.objective_metric ORDER BY p.step DESC LIMIT 1),
         objective_value = (SELECT p.value FROM metric_series ms JOIN metric_points p ON p.series_id = ms.id
                     JOIN studies s ON s.id = t.study_id
                     WHERE ms.trial_id = t.id AND ms.name = s.objective_metric ORDER BY p.step DESC LIMIT 1)
       WHERE t.id = $1 AND t.state IN ('RUNNING', 'WAITING')
       RETURNING ${TRIAL_COLUMNS}`,
      [trialId, text],
    );
    if (rows.length) return this.changed(trialFromRow(rows[0]));
    throw await this.whyNotRunning(trialId, null);
  }

  /**
   * Merges `attrs` into the trial's user attributes (a key set to null is removed), in any state:
   * notes and tags on finished trials are what dashboards add most.
   */
  async setUserAttrs(trialId: string, attrs: unknown): Promise<TrialRecord> {
    parseId("trial", trialId);
    const patch = checkObject(attrs, "attrs");
    const rows = await this.db.query(
      `UPDATE trials SET user_attrs = (user_attrs || $2::jsonb) - $3::text[] WHERE id = $1 RETURNING ${TRIAL_COLUMNS}`,
      [trialId, JSON.stringify(patch), Object.keys(patch).filter((k) => patch[k] === null)],
    );
    if (!rows.length) throw new NotFoundError("trial", trialId);
    return this.changed(trialFromRow(rows[0]));
  }

  /**
   * Define-by-run: samples one more parameter for a RUNNING trial. Asking again for the same name
   * and distribution returns the same value; a different distribution under that name is refused.
   */
  async suggestParam(trialId: string, rawSpec: RawParamSpec): Promise<JsonValue> {
    parseId("trial", trialId);
    const spec = parseParamSpec(rawSpec, "spec");
    return this.db.transaction(async (sql) => {
      const [row] = await sql.query<Record<string, any>>(
        `SELECT t.id, t.number, t.state, t.params, t.distributions, s.id AS sid, s.directions, s.search_space,
                s.sampler, s.pruner, s.objective_metric, s.sampler_state
         FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1 FOR UPDATE OF t`,
        [trialId],
      );
      if (!row) throw new NotFoundError("trial", trialId);
      if (row.state !== "RUNNING") {
        throw new ConflictError(`trial ${row.number} is ${row.state}; parameters can be suggested only while it runs.`, "trialId");
      }
      const params: Record<string, JsonValue> = row.params;
      const distributions: Record<string, ParamSpec> = row.distributions;
      const known = distributions[spec.name];
      if (known) {
        if (!sameDistribution(known, spec)) {
          throw new BadUserInputError(
            `parameter "${spec.name}" was already sampled from a different distribution in trial ${row.number}; use the same range or another name.`,
            "spec",
          );
        }
        return params[spec.name];
      }
      let value: JsonValue;
      if (spec.name in params) {
        // A value fixed by enqueueTrial: it must fit the distribution asked for now.
        value = params[spec.name];
        assertValueInSpace(spec, value, `params.${spec.name}`);
      } else {
        const study = {
          id: String(row.sid),
          directions: row.directions,
          searchSpace: row.search_space,
          objectiveMetric: row.objective_metric,
          sampler: row.sampler,
          pruner: row.pruner,
        };
        const { sampler, view } = await this.samplerWithHistory(sql, study, row.number, trialId);
        const trialView = {
          number: row.number,
          state: "RUNNING" as const,
          params: pickDistributed(params, distributions),
          distributions,
          values: null,
          intermediateValues: [],
        };
        value = sampler.sampleIndependent({ study: view, trialNumber: row.number, state: row.sampler_state }, trialView, spec);
      }
      await sql.query(
        `UPDATE trials SET params = params || jsonb_build_object($2::text, $3::jsonb),
                distributions = distributions || jsonb_build_object($2::text, $4::jsonb)
         WHERE id = $1`,
        [trialId, spec.name, JSON.stringify(value), JSON.stringify(spec)],
      );
      return value;
    });
  }
}
