import type { Database } from "../db/database";
import { BadUserInputError, ConflictError, NotFoundError } from "../errors";
import type { JsonValue, TrialState } from "../optimization";
import { checkName, checkObject } from "./inputChecks";
import { isValidId, parseId } from "./ids";
import { TRIAL_COLUMNS, trialFromRow, type TrialRecord } from "./records";
import { EXECUTOR_COLUMNS, SEARCH_COLUMNS, executorFromRow, searchFromRow, type ExecutorRecord, type SearchRecord } from "./searchRecords";
import type { SearchService } from "./searchService";
import type { TrialService } from "./trialService";
import { arrayParam } from "../db/arrayParam";

/** The previous trial's outcome, told before the next claim. */
export interface FinishedTrial {
  trialId: string;
  state: TrialState;
  values?: number[] | null;
  reason?: string | null;
  userAttrs?: JsonValue | null;
}

export interface RegisterExecutorRequest {
  host: string;
  device: string;
  backend: string;
  trainers?: string[] | null;
  labels?: JsonValue | null;
}

/** Work handed to an executor: a trial to run, or the best trial of a finished search to score on test data. */
export type Claim =
  | { kind: "TRIAL"; search: SearchRecord; trial: TrialRecord }
  | { kind: "EVALUATION"; search: SearchRecord; trial: TrialRecord };

/** What a heartbeat learns: whether the trial it keeps alive should go on. */
export interface HeartbeatAnswer {
  executor: ExecutorRecord;
  trialState: TrialState | null;
  /** True when the trial is no longer this executor's to run (finished, pruned, cancelled, lease lost). */
  stop: boolean;
  reason: string | null;
}

export interface ExecutorServiceOptions {
  /** A RUNNING search trial whose heartbeat is older than this fails (and may be retried). Default 30 s. */
  leaseSeconds?: number;
}

/**
 * Executors: registration, heartbeats, claiming work and leases. Claims lock the active searches
 * (in id order, so claimers never deadlock) and count their trials afresh after the lock, so
 * concurrency and budget hold whatever the number of workers; two workers never get one trial.
 */
export class ExecutorService {
  readonly leaseSeconds: number;

  constructor(
    private readonly db: Database,
    private readonly trials: TrialService,
    private readonly searches: SearchService,
    options: ExecutorServiceOptions = {},
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 30;
  }

  /** `projectIds`: the projects whose searches it may run (its key's); null: every project. */
  async register(request: RegisterExecutorRequest, projectIds: readonly string[] | null = null): Promise<ExecutorRecord> {
    const host = checkName(request.host, "input.host");
    const device = checkName(request.device, "input.device", 50);
    const backend = checkName(request.backend, "input.backend", 50);
    const trainers = (request.trainers ?? []).map((t, i) => checkName(t, `input.trainers[${i}]`, 100));
    const labels = request.labels == null ? {} : checkObject(request.labels, "input.labels");
    const [row] = await this.db.query(
      `INSERT INTO executors (host, device, backend, trainers, labels, project_ids) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${EXECUTOR_COLUMNS}`,
      [host, device, backend, trainers, JSON.stringify(labels), projectIds],
    );
    return executorFromRow(row);
  }

  async find(id: string): Promise<ExecutorRecord | null> {
    if (!isValidId(id)) return null;
    const rows = await this.db.query(`SELECT ${EXECUTOR_COLUMNS} FROM executors WHERE id = $1`, [id]);
    return rows.length ? executorFromRow(rows[0]) : null;
  }

  /**
   * Executors seen within two lease periods and not stopped; all of them with `includeGone`. Only
   * those that run searches of `visibleProjects` (null: every project), and those shared by all.
   */
  async list(includeGone = false, visibleProjects: readonly string[] | null = null): Promise<ExecutorRecord[]> {
    const rows = await this.db.query(
      `SELECT ${EXECUTOR_COLUMNS} FROM executors
       WHERE ($1::boolean OR (stopped_at IS NULL AND last_seen_at > now() - make_interval(secs => $2)))
         AND ($3::bigint[] IS NULL OR project_ids IS NULL OR project_ids && $3::bigint[])
       ORDER BY id`,
      [includeGone, this.leaseSeconds * 2, visibleProjects],
    );
    return rows.map(executorFromRow);
  }

  /** The trial each executor runs now, by executor id. */
  async currentTrials(executorIds: readonly string[]): Promise<Map<string, TrialRecord>> {
    const rows = await this.db.query(
      `SELECT ${TRIAL_COLUMNS} FROM trials WHERE state = 'RUNNING' AND owner = ANY(${arrayParam(1, "text")})`,
      [executorIds],
    );
    return new Map(rows.map((r) => [String(r.owner), trialFromRow(r)]));
  }

  private async touch(executorId: string): Promise<ExecutorRecord & { projectIds: string[] | null }> {
    parseId("executor", executorId);
    const rows = await this.db.query<Record<string, any>>(
      `UPDATE executors SET last_seen_at = now(), stopped_at = NULL WHERE id = $1 RETURNING ${EXECUTOR_COLUMNS}, project_ids`,
      [executorId],
    );
    if (!rows.length) throw new NotFoundError("executor", executorId);
    return { ...executorFromRow(rows[0]), projectIds: rows[0].project_ids?.map(String) ?? null };
  }

  /**
   * Keeps the executor, and the trial or evaluation it runs, alive. Answers stop when the trial is
   * no longer RUNNING under this executor, so a worker that missed its control stream still stops.
   */
  async heartbeat(executorId: string, trialId?: string | null, evaluationSearchId?: string | null): Promise<HeartbeatAnswer> {
    const executor = await this.touch(executorId);
    if (evaluationSearchId) {
      const rows = await this.db.query(
        `UPDATE searches SET evaluation_heartbeat_at = now()
         WHERE id = $1 AND evaluation_owner = $2 AND evaluation_state = 'RUNNING' RETURNING id`,
        [parseId("search", evaluationSearchId), executorId],
      );
      if (!rows.length) return { executor, trialState: null, stop: true, reason: `the evaluation of search ${evaluationSearchId} is no longer this executor's` };
    }
    if (!trialId) return { executor, trialState: null, stop: false, reason: null };
    parseId("trial", trialId);
    const [row] = await this.db.query<{ state: TrialState; owner: string | null; fail_reason: string | null; prune_reason: string | null; touched: boolean }>(
      `WITH u AS (
         UPDATE trials SET heartbeat_at = now() WHERE id = $1 AND owner = $2 AND state = 'RUNNING' RETURNING id
       )
       SELECT t.state, t.owner, t.fail_reason, t.prune_reason, EXISTS (SELECT 1 FROM u) AS touched FROM trials t WHERE t.id = $1`,
      [trialId, executorId],
    );
    if (!row) throw new NotFoundError("trial", trialId);
    if (row.touched) return { executor, trialState: "RUNNING", stop: false, reason: null };
    const reason =
      row.state === "RUNNING"
        ? `trial ${trialId} is run by executor ${row.owner}, not ${executorId}`
        : (row.fail_reason ?? row.prune_reason ?? `trial ${trialId} is ${row.state}`);
    return { executor, trialState: row.state, stop: true, reason };
  }

  /**
   * A worker leaving: its running trials fail now (and are retried when their search allows)
   * instead of waiting out the lease; an evaluation it held goes back to PENDING.
   */
  async unregister(executorId: string): Promise<ExecutorRecord> {
    const { projectIds: _projects, ...executor } = await this.touch(executorId);
    await this.db.query(`UPDATE executors SET stopped_at = now() WHERE id = $1`, [executorId]);
    const rows = await this.db.query(
      `UPDATE trials SET state = 'FAIL', fail_reason = $2, completed_at = now()
       WHERE owner = $1 AND state = 'RUNNING' AND search_id IS NOT NULL RETURNING ${TRIAL_COLUMNS}`,
      [executorId, `executor ${executorId} stopped while running this trial`],
    );
    await this.db.query(
      `UPDATE searches SET evaluation_state = 'PENDING', evaluation_owner = NULL
       WHERE evaluation_owner = $1 AND evaluation_state = 'RUNNING'`,
      [executorId],
    );
    for (const row of rows) this.trials.changed(trialFromRow(row));
    return { ...executor, stoppedAt: new Date() };
  }

  /**
   * Hands the executor its next piece of work, or null when there is none: a pending test
   * evaluation first, then a trial of the oldest active search (optionally only `searchId`) that
   * runs one of the executor's trainers and has room under its concurrency and budget. A waiting
   * retry of that search is taken before a new trial is sampled.
   */
  async claim(executorId: string, searchId?: string | null, finished?: FinishedTrial | null): Promise<Claim | null> {
    const told = finished ? await this.finish(finished) : null;
    // A failure may need a retry, which this claim should be able to take: settle first. Otherwise
    // settle after the claim (and only when it found nothing more of that search), so the claim
    // does not queue behind the settle's lock on the search.
    if (told?.state === "FAIL") await this.searches.settle(told.searchId!);
    const claim = await this.claimNext(executorId, searchId);
    if (told && told.state !== "FAIL" && claim?.search.id !== told.searchId) {
      this.searches.settle(told.searchId!).catch(() => undefined);
    }
    return claim;
  }

  private async claimNext(executorId: string, searchId?: string | null): Promise<Claim | null> {
    const executor = await this.touch(executorId);
    if (searchId) parseId("search", searchId);
    const evaluation = await this.claimEvaluation(executor, searchId ?? null);
    if (evaluation) return evaluation;
    const claimed = await this.db.transaction(async (sql) => {
      // Lock first, count afterwards: a count taken in the locking statement would use a snapshot
      // from before the previous claimer committed.
      const locked = await sql.query<{ id: string }>(
        `SELECT id FROM searches
         WHERE state IN ('QUEUED', 'RUNNING') AND evaluation_state = 'NONE'
           AND (cardinality($1::text[]) = 0 OR task->>'trainer' = ANY($1::text[]))
           AND ($2::bigint IS NULL OR id = $2::bigint)
           AND ($3::bigint[] IS NULL OR study_id IN (SELECT id FROM studies WHERE project_id = ANY($3::bigint[])))
         ORDER BY id FOR UPDATE`,
        [executor.trainers, searchId ?? null, executor.projectIds],
      );
      if (!locked.length) return null;
      const rows = await sql.query<Record<string, any>>(
        `SELECT ${SEARCH_COLUMNS},
           (SELECT count(*) FROM trials t WHERE t.search_id = s.id AND t.state = 'RUNNING')::int AS running,
           (SELECT count(*) FROM trials t WHERE t.search_id = s.id AND t.retry_of IS NULL)::int AS started,
           EXISTS (SELECT 1 FROM trials t WHERE t.search_id = s.id AND t.state = 'WAITING') AS has_waiting,
           (s.timeout_seconds IS NOT NULL AND s.started_at IS NOT NULL
             AND now() > s.started_at + make_interval(secs => s.timeout_seconds)) AS timed_out
         FROM searches s WHERE s.id = ANY(${arrayParam(1, "bigint")}) ORDER BY s.id`,
        [locked.map((r) => r.id)],
      );
      for (const row of rows) {
        if (row.running >= row.concurrency || row.timed_out) continue;
        const room = row.has_waiting || row.n_trials === null || row.started < row.n_trials;
        if (!room) continue;
        const search = searchFromRow(row);
        const trial = await this.trials.askIn(sql, search.studyId, executorId, search.id);
        if (search.state === "QUEUED") {
          const [started] = await sql.query(
            `UPDATE searches SET state = 'RUNNING', started_at = now() WHERE id = $1 RETURNING ${SEARCH_COLUMNS}`,
            [search.id],
          );
          return { kind: "TRIAL" as const, search: searchFromRow(started), trial };
        }
        return { kind: "TRIAL" as const, search, trial };
      }
      return null;
    });
    if (claimed) this.trials.changed(claimed.trial);
    return claimed;
  }

  /**
   * Tells the executor's previous trial; one finished elsewhere meanwhile (pruned, cancelled) stays
   * as it is (null). The told trial's search is left for the caller to settle.
   */
  private async finish(finished: FinishedTrial): Promise<TrialRecord | null> {
    try {
      const attrs = finished.userAttrs == null ? {} : checkObject(finished.userAttrs, "finished.userAttrs");
      if (Object.keys(attrs).length) await this.trials.setUserAttrs(finished.trialId, attrs);
      const told = await this.trials.tell(finished.trialId, finished.state, finished.values, finished.reason, false);
      return told.searchId ? told : null;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return null;
    }
  }

  private async claimEvaluation(executor: ExecutorRecord & { projectIds: string[] | null }, searchId: string | null): Promise<Claim | null> {
    const rows = await this.db.query(
      `UPDATE searches SET evaluation_state = 'RUNNING', evaluation_owner = $1, evaluation_heartbeat_at = now()
       WHERE id = (
         SELECT id FROM searches
         WHERE state IN ('QUEUED', 'RUNNING') AND evaluation_state = 'PENDING'
           AND (cardinality($2::text[]) = 0 OR task->>'trainer' = ANY($2::text[]))
           AND ($3::bigint IS NULL OR id = $3::bigint)
           AND ($4::bigint[] IS NULL OR study_id IN (SELECT id FROM studies WHERE project_id = ANY($4::bigint[])))
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING ${SEARCH_COLUMNS}`,
      [executor.id, executor.trainers, searchId, executor.projectIds],
    );
    if (!rows.length) return null;
    const search = searchFromRow(rows[0]);
    const trial = await this.trials.get(search.evaluationTrialId!);
    return { kind: "EVALUATION", search, trial };
  }

  /**
   * Stores the test evaluation of a search's best trial (or why it failed) and lets the search
   * end. Only the executor that claimed the evaluation may finish it.
   */
  async finishEvaluation(executorId: string, searchId: string, metrics: unknown, error?: string | null): Promise<SearchRecord> {
    await this.touch(executorId);
    parseId("search", searchId);
    let result: Record<string, JsonValue>;
    if (error) {
      result = { error: error.slice(0, 2000) };
    } else {
      result = checkObject(metrics, "metrics");
      for (const [name, value] of Object.entries(result)) {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          throw new BadUserInputError(`metrics.${name} must be a finite number (got ${JSON.stringify(value)}).`, `metrics.${name}`);
        }
      }
    }
    const rows = await this.db.query(
      `UPDATE searches SET evaluation_state = $3, evaluation = $4, evaluation_owner = NULL
       WHERE id = $1 AND evaluation_owner = $2 AND evaluation_state = 'RUNNING' RETURNING id`,
      [searchId, executorId, error ? "FAILED" : "DONE", JSON.stringify(result)],
    );
    if (!rows.length) {
      const search = await this.searches.find(searchId);
      if (!search) throw new NotFoundError("search", searchId);
      throw new ConflictError(`search ${searchId} has no evaluation running on executor ${executorId} (it is ${search.evaluationState}).`, "searchId");
    }
    return (await this.searches.settle(searchId))!;
  }

  /**
   * Fails RUNNING search trials whose heartbeat is older than the lease (their worker died or lost
   * the server), and hands expired evaluations back. Their searches settle through the trial
   * service's hook (retries, ends).
   */
  async expireLeases(): Promise<TrialRecord[]> {
    const rows = await this.db.query(
      `UPDATE trials SET state = 'FAIL', completed_at = now(),
              fail_reason = 'no heartbeat from executor ' || coalesce(owner, '?') || ' for ' || $1 || ' s (lease expired)'
       WHERE state = 'RUNNING' AND search_id IS NOT NULL AND heartbeat_at < now() - make_interval(secs => $1)
       RETURNING ${TRIAL_COLUMNS}`,
      [this.leaseSeconds],
    );
    await this.db.query(
      `UPDATE searches SET evaluation_state = 'PENDING', evaluation_owner = NULL
       WHERE evaluation_state = 'RUNNING' AND evaluation_heartbeat_at < now() - make_interval(secs => $1)`,
      [this.leaseSeconds],
    );
    const expired = rows.map(trialFromRow);
    for (const trial of expired) this.trials.changed(trial);
    return expired;
  }
}
