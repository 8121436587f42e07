import type { Database, Sql } from "../db/database";
import { BadUserInputError, ConflictError, NotFoundError } from "../errors";
import { NO_EVENTS, type EventPublisher } from "../events/eventBus";
import { TaskError, type TaskDefinition } from "../executors/tasks/taskDefinition";
import { parseSearchSpace, type JsonValue } from "../optimization";
import { isValidId, parseId } from "./ids";
import { checkObject } from "./inputChecks";
import { TRIAL_COLUMNS, trialFromRow, type TrialRecord } from "./records";
import { SEARCH_COLUMNS, searchFromRow, type SearchRecord } from "./searchRecords";

export interface StartSearchRequest {
  studyId: string;
  nTrials?: number | null;
  timeoutSeconds?: number | null;
  concurrency?: number | null;
  maxRetries?: number | null;
  task: unknown;
}

/** The trainers the server knows, by task name. */
export type TaskCatalog = ReadonlyMap<string, TaskDefinition>;

/** Trial counts of one search, by what the search needs to know. */
export interface SearchTrialCounts {
  running: number;
  waiting: number;
  complete: number;
  pruned: number;
  failed: number;
  /** Trials that used a slot of the budget (retries do not). */
  started: number;
}

/**
 * Searches: a budget of trials of one study, run by executors. This service starts, cancels and
 * settles them (retries failed trials, ends a search whose budget is spent); claims live with the
 * executors.
 */
export class SearchService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TaskCatalog,
    private readonly events: EventPublisher = NO_EVENTS,
  ) {}

  async start(request: StartSearchRequest): Promise<SearchRecord> {
    parseId("study", request.studyId);
    const nTrials = optionalInt(request.nTrials, "input.nTrials", 1, 1_000_000);
    const timeoutSeconds = optionalInt(request.timeoutSeconds, "input.timeoutSeconds", 1, 366 * 86_400);
    const concurrency = optionalInt(request.concurrency, "input.concurrency", 1, 10_000) ?? 1;
    const maxRetries = optionalInt(request.maxRetries, "input.maxRetries", 0, 100) ?? 0;
    const { definition, task } = this.checkTask(request.task);
    return this.db.transaction(async (sql) => {
      const [study] = await sql.query<{ search_space: unknown[]; next_trial_number: number }>(
        `SELECT search_space, next_trial_number FROM studies WHERE id = $1 FOR UPDATE`,
        [request.studyId],
      );
      if (!study) throw new NotFoundError("study", request.studyId);
      if (study.search_space.length === 0 && study.next_trial_number === 0 && definition.defaultSearchSpace) {
        // An empty new study gets the trainer's default space, so startSearch on it just works.
        const space = parseSearchSpace(definition.defaultSearchSpace(task), "task");
        await sql.query(`UPDATE studies SET search_space = $2 WHERE id = $1`, [request.studyId, JSON.stringify(space)]);
      }
      const [row] = await sql.query(
        `INSERT INTO searches (study_id, n_trials, timeout_seconds, concurrency, max_retries, task, evaluation_state)
         VALUES ($1, $2, $3, $4, $5, $6, 'NONE') RETURNING ${SEARCH_COLUMNS}`,
        [request.studyId, nTrials, timeoutSeconds, concurrency, maxRetries, JSON.stringify(task)],
      );
      return searchFromRow(row);
    });
  }

  /** The task with its defaults, or BAD_USER_INPUT naming the field to fix. */
  private checkTask(raw: unknown): { definition: TaskDefinition; task: Record<string, JsonValue> } {
    const task = checkObject(raw, "input.task") as Record<string, JsonValue>;
    const known = [...this.tasks.keys()].join(", ");
    if (typeof task.trainer !== "string") {
      throw new BadUserInputError(`input.task.trainer must name a trainer: one of ${known}.`, "input.task.trainer");
    }
    const definition = this.tasks.get(task.trainer);
    if (!definition) {
      throw new BadUserInputError(`input.task.trainer "${task.trainer}" is unknown; use one of ${known}.`, "input.task.trainer");
    }
    try {
      return { definition, task: definition.check(task) };
    } catch (error) {
      if (error instanceof TaskError) throw new BadUserInputError(error.message, `input.${error.field}`);
      throw error;
    }
  }

  async get(id: string): Promise<SearchRecord> {
    const search = await this.find(id);
    if (!search) throw new NotFoundError("search", id);
    return search;
  }

  async find(id: string): Promise<SearchRecord | null> {
    if (!isValidId(id)) return null;
    const rows = await this.db.query(`SELECT ${SEARCH_COLUMNS} FROM searches WHERE id = $1`, [id]);
    return rows.length ? searchFromRow(rows[0]) : null;
  }

  /** A study's searches, newest first. */
  async listByStudy(studyId: string): Promise<SearchRecord[]> {
    if (!isValidId(studyId)) return [];
    const rows = await this.db.query(`SELECT ${SEARCH_COLUMNS} FROM searches WHERE study_id = $1 ORDER BY id DESC`, [studyId]);
    return rows.map(searchFromRow);
  }

  async counts(searchId: string, sql: Sql = this.db): Promise<SearchTrialCounts> {
    return (await this.countsOfSearches([searchId], sql)).get(searchId)!;
  }

  /** Trial counts of many searches in one query (searches without trials count zeros). */
  async countsOfSearches(searchIds: readonly string[], sql: Sql = this.db): Promise<Map<string, SearchTrialCounts>> {
    const rows = await sql.query<Record<string, string>>(
      `SELECT s.id,
              count(t.id) FILTER (WHERE t.state = 'RUNNING') AS running,
              count(t.id) FILTER (WHERE t.state = 'WAITING') AS waiting,
              count(t.id) FILTER (WHERE t.state = 'COMPLETE') AS complete,
              count(t.id) FILTER (WHERE t.state = 'PRUNED') AS pruned,
              count(t.id) FILTER (WHERE t.state = 'FAIL') AS failed,
              count(t.id) FILTER (WHERE t.retry_of IS NULL) AS started
       FROM unnest($1::bigint[]) AS s(id) LEFT JOIN trials t ON t.search_id = s.id
       GROUP BY s.id`,
      [searchIds.filter(isValidId)],
    );
    const zero = { running: 0, waiting: 0, complete: 0, pruned: 0, failed: 0, started: 0 };
    const counts = new Map<string, SearchTrialCounts>(searchIds.map((id) => [id, zero]));
    for (const row of rows) {
      counts.set(String(row.id), {
        running: Number(row.running),
        waiting: Number(row.waiting),
        complete: Number(row.complete),
        pruned: Number(row.pruned),
        failed: Number(row.failed),
        started: Number(row.started),
      });
    }
    return counts;
  }

  /**
   * Cancels a queued or running search: its running and waiting trials become FAIL at once (their
   * executors hear CANCEL and stop), and no trial starts after it. CONFLICT once it has ended.
   */
  async cancel(id: string): Promise<SearchRecord> {
    parseId("search", id);
    const { search, stopped } = await this.db.transaction(async (sql) => {
      const rows = await sql.query(
        `UPDATE searches SET state = 'CANCELLED', end_reason = 'cancelled by request', ended_at = now(),
                evaluation_state = CASE WHEN evaluation_state IN ('PENDING', 'RUNNING') THEN 'NONE' ELSE evaluation_state END,
                evaluation_owner = NULL
         WHERE id = $1 AND state IN ('QUEUED', 'RUNNING') RETURNING ${SEARCH_COLUMNS}`,
        [id],
      );
      if (!rows.length) {
        const current = await this.find(id);
        if (!current) throw new NotFoundError("search", id);
        throw new ConflictError(`search ${id} already ended as ${current.state}; only a QUEUED or RUNNING search can be cancelled.`, "id");
      }
      const trials = await sql.query(
        `UPDATE trials SET state = 'FAIL', fail_reason = $2, completed_at = now()
         WHERE search_id = $1 AND state IN ('RUNNING', 'WAITING') RETURNING ${TRIAL_COLUMNS}`,
        [id, `search ${id} was cancelled`],
      );
      return { search: searchFromRow(rows[0]), stopped: trials.map(trialFromRow) };
    });
    for (const trial of stopped) {
      this.events.publish({ type: "trialControl", studyId: trial.studyId, trialId: trial.id, action: "CANCEL", reason: trial.failReason });
      this.events.publish({ type: "trialChanged", trial });
    }
    return search;
  }

  /**
   * Brings a search up to date: runs failed trials again while retries remain, fails waiting
   * trials once the timeout has passed, asks for the best trial's test evaluation when the trainer
   * has one, and ends the search when its budget is spent and no trial runs. Idempotent; any
   * server process may call it at any time (the search row lock serialises them).
   */
  async settle(searchId: string): Promise<SearchRecord | null> {
    const { search, changed } = await this.db.transaction(async (sql) => {
      const rows = await sql.query(`SELECT ${SEARCH_COLUMNS}, (timeout_seconds IS NOT NULL AND started_at IS NOT NULL
          AND now() > started_at + make_interval(secs => timeout_seconds)) AS timed_out
        FROM searches WHERE id = $1 FOR UPDATE`, [searchId]);
      if (!rows.length) return { search: null, changed: [] as TrialRecord[] };
      const search = searchFromRow(rows[0]);
      if (search.state !== "QUEUED" && search.state !== "RUNNING") return { search, changed: [] };
      const timedOut = rows[0].timed_out === true;
      const changed = timedOut ? await this.failWaiting(sql, search) : await this.retryFailed(sql, search);
      const counts = await this.counts(searchId, sql);
      const budgetSpent = timedOut || (search.nTrials !== null && counts.started >= search.nTrials);
      if (!budgetSpent || counts.running + counts.waiting > 0) return { search, changed };
      return { search: await this.finish(sql, search, timedOut), changed };
    });
    for (const trial of changed) this.events.publish({ type: "trialChanged", trial });
    return search;
  }

  /** Enqueues a retry of every failed trial that is the latest of its line and has retries left. */
  private async retryFailed(sql: Sql, search: SearchRecord): Promise<TrialRecord[]> {
    if (search.maxRetries === 0) return [];
    const failed = await sql.query<{ root: string; params: Record<string, JsonValue> }>(
      `SELECT coalesce(t.retry_of, t.id) AS root, t.params FROM trials t
       WHERE t.search_id = $1 AND t.state = 'FAIL'
         AND NOT EXISTS (SELECT 1 FROM trials u WHERE u.retry_of = coalesce(t.retry_of, t.id) AND u.number > t.number)
         AND (SELECT count(*) FROM trials u WHERE u.retry_of = coalesce(t.retry_of, t.id)) < $2
       ORDER BY t.number`,
      [search.id, search.maxRetries],
    );
    if (!failed.length) return [];
    const [study] = await sql.query<{ next_trial_number: number }>(
      `SELECT next_trial_number FROM studies WHERE id = $1 FOR UPDATE`,
      [search.studyId],
    );
    const rows = await sql.query(
      `WITH r AS (
         INSERT INTO trials (study_id, number, state, params, search_id, retry_of)
         SELECT $1, $2 + i - 1, 'WAITING', p, $3, root
         FROM unnest($4::bigint[], $5::jsonb[]) WITH ORDINALITY AS f(root, p, i)
         RETURNING ${TRIAL_COLUMNS}
       ), s AS (UPDATE studies SET next_trial_number = $2 + $6 WHERE id = $1)
       SELECT * FROM r ORDER BY number`,
      [search.studyId, study.next_trial_number, search.id, failed.map((f) => f.root), failed.map((f) => JSON.stringify(f.params)), failed.length],
    );
    return rows.map(trialFromRow);
  }

  /** After the timeout, retries that never started will not: they become FAIL. */
  private async failWaiting(sql: Sql, search: SearchRecord): Promise<TrialRecord[]> {
    const rows = await sql.query(
      `UPDATE trials SET state = 'FAIL', fail_reason = $2, completed_at = now()
       WHERE search_id = $1 AND state = 'WAITING' RETURNING ${TRIAL_COLUMNS}`,
      [search.id, `search ${search.id} reached its timeout before this trial started`],
    );
    return rows.map(trialFromRow);
  }

  /** The budget is spent and nothing runs: evaluate the best trial first if the trainer can. */
  private async finish(sql: Sql, search: SearchRecord, timedOut: boolean): Promise<SearchRecord> {
    if (search.evaluationState === "PENDING" || search.evaluationState === "RUNNING") return search;
    const trainer = typeof search.task.trainer === "string" ? this.tasks.get(search.task.trainer) : undefined;
    if (search.evaluationState === "NONE" && trainer?.evaluatesBestTrial) {
      const best = await this.bestTrialId(sql, search);
      if (best) {
        const [row] = await sql.query(
          `UPDATE searches SET evaluation_state = 'PENDING', evaluation_trial_id = $2 WHERE id = $1 RETURNING ${SEARCH_COLUMNS}`,
          [search.id, best],
        );
        return searchFromRow(row);
      }
    }
    const reason = timedOut
      ? `its timeout of ${search.timeoutSeconds} s was reached`
      : `its ${search.nTrials} trial${search.nTrials === 1 ? "" : "s"} finished`;
    const [row] = await sql.query(
      `UPDATE searches SET state = 'COMPLETED', end_reason = $2, ended_at = now(), started_at = coalesce(started_at, now())
       WHERE id = $1 RETURNING ${SEARCH_COLUMNS}`,
      [search.id, reason],
    );
    return searchFromRow(row);
  }

  /** The best COMPLETE trial of a single-objective search, or null. */
  async bestTrialId(sql: Sql, search: SearchRecord): Promise<string | null> {
    const [row] = await sql.query<{ id: string }>(
      `SELECT t.id FROM trials t JOIN studies s ON s.id = t.study_id
       WHERE t.search_id = $1 AND t.state = 'COMPLETE' AND cardinality(s.directions) = 1
       ORDER BY CASE WHEN s.directions[1] = 'MAXIMIZE' THEN -t.objective_value ELSE t.objective_value END, t.number
       LIMIT 1`,
      [search.id],
    );
    return row ? String(row.id) : null;
  }

  /** The searches that have not ended, for the sweeper. */
  async activeIds(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM searches WHERE state IN ('QUEUED', 'RUNNING') ORDER BY id`);
    return rows.map((r) => String(r.id));
  }
}

/** An optional whole number in [min, max], or BAD_USER_INPUT naming the field. */
function optionalInt(value: number | null | undefined, field: string, min: number, max: number): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be a whole number from ${min} to ${max} (got ${value}).`, field);
  }
  return value;
}
