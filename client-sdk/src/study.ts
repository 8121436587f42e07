import { Search, type StartSearchOptions } from "./search";
import type { GraphtuneClient } from "./client";
import { ConflictError, GraphtuneError, TrialPruned } from "./errors";
import {
  AskTrialDocument,
  EnqueueTrialDocument,
  GetTrialDocument,
  MetricsReportedDocument,
  PruneTrialDocument,
  StudyBestDocument,
  StartSearchDocument,
  StudyProgressDocument,
  StudyTrialsDocument,
  TellTrialDocument,
  TrialUpdatedDocument,
  type MetricsReportedSubscription,
  type StudyDirection,
  type StudyFieldsFragment,
  type StudyProgressSubscription,
  type StudyTrialsQuery,
  type TrialFieldsFragment,
  type TrialState,
} from "./generated/graphql";
import type { JsonValue } from "./json";
import type { LiveConnection } from "./live";
import type { DeclaredParam } from "./params";
import { Trial, type TrialContext } from "./trial";

/** A trial as stored: what bestTrial, getTrials and watchTrials return (Optuna's `FrozenTrial`). */
export type FrozenTrial = TrialFieldsFragment & { intermediateValues?: { step: number; value: number }[] };

/** A batch of metric points as metricsReported streams it. */
export type MetricBatch = MetricsReportedSubscription["metricsReported"];

/** A study's counts by state and best value, as studyProgress streams it. */
export type StudyProgress = StudyProgressSubscription["studyProgress"];

/** The states a trial can be told. */
export type FinishedState = Extract<TrialState, "COMPLETE" | "PRUNED" | "FAIL">;

/** What tell answers. */
export interface ToldTrial {
  id: string;
  number: number;
  state: TrialState;
  values: number[] | null;
}

/** An objective: gets a trial, returns its value (one per direction for multi-objective studies). */
export type Objective = (trial: Trial) => Promise<number | number[]> | number | number[];

export interface OptimizeOptions {
  /** Trials to run in this call; default: no limit (until timeoutMs or signal). */
  nTrials?: number;
  /** Objectives running at once, each with its own ask/tell loop; default 1. */
  concurrency?: number;
  /** Start no new trial after this many ms; default: no limit. */
  timeoutMs?: number;
  /**
   * Errors of the objective to record as a FAIL trial and continue after; default none: the
   * first error is recorded as FAIL, no new trial starts, and optimize rejects with it once the
   * running trials are told.
   */
  catch?: (error: unknown) => boolean;
  /** Called after each trial is told, with how it ended. */
  callbacks?: ((study: Study, trial: ToldTrial) => void | Promise<void>)[];
  /** Stops starting new trials; running ones finish. */
  signal?: AbortSignal;
}

export interface WatchMetricsOptions {
  /** Only this trial's points; default: the whole study. */
  trialId?: string;
  /**
   * Replay stored points above this step first; default -1 (everything stored, then live). null
   * starts live, with no replay; until the first batch arrives there is then no position to resume
   * from, so points reported during a reconnection before it may be missed.
   */
  afterStep?: number | null;
  /** Resume after a MetricBatch.cursor kept from an earlier watch (combined with afterStep). */
  after?: string;
  /** Ends the watch. */
  signal?: AbortSignal;
}

const PAGE = 1000;

/**
 * A study (Optuna's `Study`): run trials with optimize, or ask and tell by hand; read results;
 * watch metrics live. `bestTrial`, `bestTrials` and `trialCount` are snapshots taken by refresh()
 * (optimize refreshes when it ends); getBestTrial() and getTrials() always ask the server.
 */
export class Study {
  readonly id: string;
  readonly name: string;
  readonly directions: StudyDirection[];
  readonly objectiveMetric: string;
  readonly searchSpace: DeclaredParam[];
  readonly sampler: StudyFieldsFragment["sampler"];
  readonly pruner: StudyFieldsFragment["pruner"];
  readonly userAttrs: JsonValue;
  private readonly trialContext: TrialContext;
  private best: FrozenTrial[] = [];
  private count = 0;

  constructor(
    private readonly client: GraphtuneClient,
    private readonly live: LiveConnection,
    fields: StudyFieldsFragment,
  ) {
    this.id = fields.id;
    this.name = fields.name;
    this.directions = fields.directions;
    this.objectiveMetric = fields.objectiveMetric;
    this.searchSpace = fields.searchSpace;
    this.sampler = fields.sampler;
    this.pruner = fields.pruner;
    this.userAttrs = fields.userAttrs;
    this.trialContext = { client, declared: new Map(fields.searchSpace.map((p) => [p.name, p])) };
  }

  /** The best finished trial at the last refresh (single-objective studies); null before any. */
  get bestTrial(): FrozenTrial | null {
    this.assertSingleObjective("bestTrial");
    return this.best[0] ?? null;
  }

  /** The best value at the last refresh (single-objective studies); null before any. */
  get bestValue(): number | null {
    return this.bestTrial?.values?.[0] ?? null;
  }

  /** The best parameters at the last refresh (single-objective studies); null before any. */
  get bestParams(): JsonValue | null {
    return this.bestTrial?.params ?? null;
  }

  /** The Pareto front at the last refresh (the best trial, as a list, for one objective). */
  get bestTrials(): FrozenTrial[] {
    return this.best;
  }

  /** Trials of the study in every state at the last refresh. */
  get trialCount(): number {
    return this.count;
  }

  /** Reads the best trial(s) and the trial count again. */
  async refresh(): Promise<this> {
    const { study } = await this.client.request(StudyBestDocument, { id: this.id });
    if (study) {
      this.best = study.bestTrials;
      this.count = study.trialCount;
    }
    return this;
  }

  /** The best finished trial now (single-objective studies); null before any. */
  async getBestTrial(): Promise<FrozenTrial | null> {
    this.assertSingleObjective("getBestTrial");
    return (await this.refresh()).best[0] ?? null;
  }

  /** Every trial of the study, oldest first, optionally only some states (Optuna's `get_trials`). */
  async getTrials(options: { states?: TrialState[] } = {}): Promise<FrozenTrial[]> {
    const trials: FrozenTrial[] = [];
    let after: string | null = null;
    for (;;) {
      const { study }: StudyTrialsQuery = await this.client.request(StudyTrialsDocument, { id: this.id, first: PAGE, after, states: options.states ?? null });
      if (!study) break;
      for (const edge of study.trials.edges) trials.push(edge.node);
      if (!study.trials.pageInfo.hasNextPage) break;
      after = study.trials.pageInfo.endCursor;
    }
    return trials;
  }

  /**
   * Starts a trial (Optuna's `ask`): an enqueued one first, else the sampler's next point of the
   * declared space, in one round trip. Not retried after a fault that may have reached the server,
   * since a second try would start a second trial.
   */
  async ask(): Promise<Trial> {
    // The key makes a retried ask return the trial the lost try started, so asks retry safely.
    const { askTrial } = await this.client.request(AskTrialDocument, { studyId: this.id, askKey: newAskKey() }, { idempotent: true });
    return new Trial(this.trialContext, askTrial.id, askTrial.number, askTrial.params, askTrial.state);
  }

  /**
   * Finishes a trial (Optuna's `tell`): values make it COMPLETE unless `state` says otherwise;
   * PRUNED without values keeps its last intermediate value. Retried after network faults: when a
   * retry finds the trial already finished exactly as asked (the lost answer of an earlier try),
   * that counts as success.
   */
  async tell(trial: Trial | string, values?: number | number[] | null, state?: FinishedState): Promise<ToldTrial> {
    const trialId = typeof trial === "string" ? trial : trial.id;
    const list = values == null ? null : Array.isArray(values) ? values : [values];
    const finalState: FinishedState = state ?? (list ? "COMPLETE" : "FAIL");
    try {
      const { tellTrial } = await this.client.request(TellTrialDocument, { trialId, state: finalState, values: list }, { idempotent: true });
      return tellTrial;
    } catch (error) {
      if (error instanceof ConflictError && (error.attempts > 1 || finalState === "PRUNED")) {
        const { trial: current } = await this.client.request(GetTrialDocument, { id: trialId });
        const sameValues = list === null || JSON.stringify(current?.values) === JSON.stringify(list);
        // A retry of our own, or a trial pruned from outside that the objective now tells PRUNED.
        if (current && current.state === finalState && (sameValues || finalState === "PRUNED")) {
          return { id: current.id, number: current.number, state: current.state, values: current.values };
        }
      }
      throw error;
    }
  }

  /** Queues a trial with fixed parameters; the next ask takes it (Optuna's `enqueue_trial`). */
  async enqueueTrial(params: Record<string, JsonValue>): Promise<FrozenTrial> {
    return (await this.client.request(EnqueueTrialDocument, { studyId: this.id, params })).enqueueTrial;
  }

  /** Prunes a running trial from outside, as a person on the dashboard would. */
  async pruneTrial(trialId: string, reason?: string): Promise<FrozenTrial> {
    return (await this.client.request(PruneTrialDocument, { trialId, reason: reason ?? null })).pruneTrial;
  }

  /**
   * Runs trials (Optuna's `optimize`): ask, call the objective, tell, `concurrency` at a time,
   * until nTrials, timeoutMs or signal. TrialPruned (from trial.report or thrown by the
   * objective) tells PRUNED; a non-finite value tells FAIL; other errors tell FAIL and, unless
   * `catch` accepts them, stop the run and are rethrown. Refreshes bestTrial at the end.
   */
  async optimize(objective: Objective, options: OptimizeOptions = {}): Promise<this> {
    const { nTrials = Infinity, concurrency = 1, timeoutMs, callbacks = [], signal } = options;
    if (!(concurrency >= 1)) throw new RangeError(`concurrency must be at least 1 (got ${concurrency}).`);
    if (nTrials === Infinity && timeoutMs === undefined && !signal) {
      throw new RangeError("optimize needs nTrials, timeoutMs or signal to know when to stop.");
    }
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    let started = 0;
    let failure: { error: unknown } | null = null;
    const more = () => started < nTrials && Date.now() < deadline && !signal?.aborted && !failure;

    const fail = (error: unknown) => {
      failure ??= { error };
    };
    const worker = async () => {
      try {
        while (more()) {
          started++;
          const trial = await this.ask();
          const told = await this.runOne(objective, trial, options.catch, fail);
          for (const callback of callbacks) await callback(this, told);
        }
      } catch (error) {
        // A request that failed for good (after its retries) or a callback's error: stop all workers.
        fail(error);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, nTrials) }, worker));
    await this.refresh().catch(() => undefined);
    if (failure) throw (failure as { error: unknown }).error;
    return this;
  }

  /** One trial of optimize: the objective, then the tell that matches how it ended. */
  private async runOne(objective: Objective, trial: Trial, accept: OptimizeOptions["catch"], stop: (error: unknown) => void): Promise<ToldTrial> {
    let result: number | number[];
    try {
      result = await objective(trial);
    } catch (error) {
      if (error instanceof TrialPruned) return this.tell(trial, null, "PRUNED");
      const told = await this.tell(trial, null, "FAIL");
      if (!accept?.(error)) stop(error);
      return told;
    }
    const values = Array.isArray(result) ? result : [result];
    if (values.length === 0 || values.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      // As Optuna does: a NaN or infinite value fails the trial without stopping the run.
      return this.tell(trial, null, "FAIL");
    }
    return this.tell(trial, values, "COMPLETE");
  }

  /**
   * Metric points as they are reported, over graphql-ws: by default everything stored, then live.
   * After a dropped connection the watch reconnects and resumes after the last batch it yielded,
   * so no point is missed or repeated. Break out of the loop (or abort `signal`) to stop.
   */
  async *watchMetrics(options: WatchMetricsOptions = {}): AsyncGenerator<MetricBatch, void, undefined> {
    const afterStep = options.afterStep === undefined ? -1 : options.afterStep;
    let cursor = options.after ?? null;
    const scope = options.trialId ? { trialId: options.trialId, studyId: null } : { studyId: this.id, trialId: null };
    for await (const item of this.live.subscribe(
      MetricsReportedDocument,
      () => ({ ...scope, after: cursor, afterStep }),
      { signal: options.signal, track: (r) => (cursor = r.metricsReported.cursor) },
    )) {
      yield item.metricsReported;
    }
  }

  /**
   * The study's counts by state and best value: the current numbers at once, then each change.
   * Reconnects after a dropped connection, starting again from the current numbers.
   */
  async *watchProgress(options: { signal?: AbortSignal } = {}): AsyncGenerator<StudyProgress, void, undefined> {
    for await (const item of this.live.subscribe(StudyProgressDocument, () => ({ studyId: this.id }), options)) {
      yield item.studyProgress;
    }
  }

  /**
   * Every state change of the study's trials. Reconnects after a dropped connection; changes made
   * while it was down are not replayed (watchProgress gives the current counts after one).
   */
  async *watchTrials(options: { signal?: AbortSignal } = {}): AsyncGenerator<FrozenTrial, void, undefined> {
    for await (const item of this.live.subscribe(TrialUpdatedDocument, () => ({ studyId: this.id }), options)) {
      yield item.trialUpdated;
    }
  }

  /**
   * Runs trials of this study on the server's executors (`graphtune worker` processes, or the
   * local one `npm start` brings up) with a trainer, e.g.
   * `study.startSearch({ nTrials: 60, concurrency: 2, task: { trainer: "tfjs-mlp", dataset: "digits" } })`.
   */
  async startSearch(options: StartSearchOptions): Promise<Search> {
    const input = {
      studyId: this.id,
      nTrials: options.nTrials ?? null,
      timeoutSeconds: options.timeoutSeconds ?? null,
      concurrency: options.concurrency ?? null,
      maxRetries: options.maxRetries ?? null,
      task: options.task,
    };
    const { startSearch } = await this.client.request(StartSearchDocument, { input });
    return new Search(this.client, this.live, startSearch);
  }

  private assertSingleObjective(what: string): void {
    if (this.directions.length > 1) {
      throw new GraphtuneError(`${what} is for single-objective studies; study "${this.name}" has ${this.directions.length} directions: use bestTrials.`, "BAD_USER_INPUT");
    }
  }
}

/** A random key per ask (crypto.randomUUID in Node 20 and browsers). */
function newAskKey(): string {
  return globalThis.crypto.randomUUID();
}
