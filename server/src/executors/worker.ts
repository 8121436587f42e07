import os from "node:os";
import { performance } from "node:perf_hooks";
import { ConflictError, GraphtuneClient, NotFoundError } from "../../../client-sdk/src";
import {
  ClaimTrialDocument,
  ExecutorHeartbeatDocument,
  FailTrialDocument,
  FinishEvaluationDocument,
  FinishTrialDocument,
  RegisterExecutorDocument,
  ReportMetricsDocument,
  TrialControlDocument,
  UnregisterExecutorDocument,
  type ClaimTrialMutation,
} from "../../../client-sdk/src/generated/graphql";
import { LiveConnection } from "../../../client-sdk/src/live";
import type { Logger } from "../logging";
import type { JsonValue } from "../optimization";
import { formatDevice, type Device, type ReportAnswer, type TrainerContext, type TrialOutcome } from "./trainer";
import { TrainerPool, trainerNames } from "./trainers/registry";

export interface WorkerOptions {
  /** The server's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  server: string;
  apiKey?: string;
  /** Where trials run; default cpu. */
  device?: Device;
  /** Which trainers to run; default all of them. */
  trainers?: string[];
  /** Only this search's trials; default any search. */
  searchId?: string;
  /** How long to wait after a claim found no work, in ms; default 1000. */
  idleWaitMs?: number;
  /** Stop after this many claims (trials and evaluations); default never. */
  maxClaims?: number;
  /** The host name the executor registers with; default os.hostname(). */
  host?: string;
  logger: Logger;
  /** Hears each trial's timings (for benchmarks); default none. */
  onTrialTiming?: (timing: TrialTiming) => void;
}

/** When a trial's trainer was entered and left, and its first two reports (performance.now() ms). */
export interface TrialTiming {
  trialId: string;
  runEnteredAt: number;
  firstReportAt: number | null;
  secondReportAt: number | null;
  runEndedAt: number;
}

type Claimed = NonNullable<ClaimTrialMutation["claimTrial"]>;

/**
 * `graphtune worker`: a GraphQL client of the server that registers as an executor, claims trials
 * of running searches, trains them, reports every epoch, stops as soon as its trial is pruned or its
 * search cancelled (heard over the trialControl subscription, and from heartbeats as a fallback),
 * and tells the outcome. One trial at a time: run one worker per device.
 */
export class Worker {
  private readonly client: GraphtuneClient;
  private readonly live: LiveConnection;
  private readonly trainers: TrainerPool;
  private readonly device: Device;
  private readonly stopping = new AbortController();
  private current: AbortController | null = null;
  private executorId: string | null = null;
  private loop: Promise<void> | null = null;
  /** The last trial's outcome, told with the next claim. */
  private unsent: { trialId: string; outcome: TrialOutcome } | null = null;
  /** Claims handled so far. */
  claims = 0;

  constructor(private readonly options: WorkerOptions) {
    this.device = options.device ?? { kind: "cpu" };
    this.client = new GraphtuneClient({ url: options.server, apiKey: options.apiKey, retry: { attempts: 8, initialDelayMs: 100, maxDelayMs: 3000 } });
    this.live = new LiveConnection(options.server, options.apiKey);
    this.trainers = new TrainerPool({ device: this.device, log: (m, f) => options.logger.info(m, f) });
  }

  get id(): string | null {
    return this.executorId;
  }

  /** Registers (loading the trainers first, so the backend it reports is the one that runs) and starts the claim loop. */
  async start(): Promise<string> {
    await this.register();
    this.loop = this.claimLoop();
    return this.executorId!;
  }

  private async register(): Promise<void> {
    const names = this.options.trainers ?? [...trainerNames];
    const backends = new Set<string>();
    for (const name of names) backends.add((await this.trainers.get(name)).backend());
    const backend = [...backends].filter((b) => b !== "process")[0] ?? "process";
    const registered = await this.client.request(RegisterExecutorDocument, {
      input: { host: this.options.host ?? os.hostname(), device: formatDevice(this.device), backend, trainers: names, labels: { pid: process.pid } },
    });
    this.executorId = registered.registerExecutor.id;
    this.options.logger.info("executor registered", { executorId: this.executorId, device: formatDevice(this.device), backend, trainers: names });
  }

  /** Resolves when the loop ends (maxClaims reached, or stop()). */
  async finished(): Promise<void> {
    await this.loop;
  }

  /** Stops the trial in progress, unregisters (its trial fails now, to be retried) and closes. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.current?.abort(new Error("the worker is stopping"));
    await this.loop?.catch(() => undefined);
    if (this.executorId) {
      await this.client.request(UnregisterExecutorDocument, { id: this.executorId }, { idempotent: true }).catch((error: Error) => {
        this.options.logger.warn("could not unregister", { error: error.message });
      });
    }
    await this.trainers.close();
    await this.live.close();
  }

  private async claimLoop(): Promise<void> {
    const idle = this.options.idleWaitMs ?? 1000;
    try {
      await this.claimUntilDone(idle);
    } finally {
      // A trial's outcome not yet sent with a claim (the loop ended after it) is told on its own.
      if (this.unsent) await this.tell(this.unsent.trialId, this.unsent.outcome, this.options.logger);
      this.unsent = null;
    }
  }

  private async claimUntilDone(idle: number): Promise<void> {
    while (!this.stopping.signal.aborted && (this.options.maxClaims === undefined || this.claims < this.options.maxClaims)) {
      let claim: Claimed | null = null;
      try {
        // The previous trial's outcome rides on this claim: one round trip between two trials.
        const finished = this.unsent && finishedInput(this.unsent.trialId, this.unsent.outcome);
        claim = (
          await this.client.request(
            ClaimTrialDocument,
            { executorId: this.executorId!, searchId: this.options.searchId, finished },
            { signal: this.stopping.signal },
          )
        ).claimTrial;
        this.unsent = null;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (error instanceof NotFoundError && this.unsent && !/^executor /.test(error.message)) {
          // The finished trial is gone (its study was deleted): nothing left to tell.
          this.unsent = null;
          continue;
        }
        if (error instanceof NotFoundError) {
          // The server lost our registration (a fresh database): register again.
          this.options.logger.warn("executor unknown to the server; registering again");
          await this.register().catch((e: Error) => this.options.logger.warn("could not register", { error: e.message }));
          await sleep(idle, this.stopping.signal);
          continue;
        }
        this.options.logger.warn("claim failed; retrying", { error: (error as Error).message });
        await sleep(idle, this.stopping.signal);
        continue;
      }
      if (!claim) {
        await sleep(idle, this.stopping.signal);
        continue;
      }
      this.claims++;
      if (claim.kind === "EVALUATION") await this.evaluate(claim);
      else await this.runTrial(claim);
    }
  }

  private async runTrial(claim: Claimed): Promise<void> {
    const { trial, search } = claim;
    const log = this.options.logger.child({ trialId: trial.id, trialNumber: trial.number, searchId: search.id });
    const control = new AbortController();
    this.current = control;
    const heartbeat = this.keepAlive(claim, { trialId: trial.id }, control, log);
    this.watchControl(trial.id, control, log);
    const task = search.task as Record<string, JsonValue>;
    const started = Date.now();
    let outcome: TrialOutcome;
    let stoppedFromOutside = false;
    const timing: TrialTiming = { trialId: trial.id, runEnteredAt: 0, firstReportAt: null, secondReportAt: null, runEndedAt: 0 };
    try {
      const trainer = await this.trainers.get(String(task.trainer));
      log.info("trial started", { trainer: trainer.name, params: trial.params });
      const context = this.context(claim, control, log);
      const report = context.report;
      context.report = (...args) => {
        if (timing.firstReportAt === null) timing.firstReportAt = performance.now();
        else timing.secondReportAt ??= performance.now();
        return report(...args);
      };
      timing.runEnteredAt = performance.now();
      outcome = await trainer.run(context);
    } catch (error) {
      outcome = control.signal.aborted ? { state: "STOPPED" } : { state: "FAIL", reason: `the trainer threw: ${(error as Error).message}` };
    } finally {
      stoppedFromOutside = control.signal.aborted;
      timing.runEndedAt = performance.now();
      clearInterval(heartbeat);
      control.abort();
      this.current = null;
    }
    this.options.onTrialTiming?.(timing);
    if (stoppedFromOutside) outcome = outcomeStoppedFromOutside(outcome, control.signal.reason);
    else if (outcome.state === "STOPPED") outcome = await this.checkToldByProgram(trial.id);
    log.info("trial finished", { state: outcome.state, seconds: (Date.now() - started) / 1000 });
    if (outcome.state !== "STOPPED") this.unsent = { trialId: trial.id, outcome };
  }

  /**
   * A trainer that stopped without being told to (a program that reports through the API ended):
   * the trial must have been told by the program; if it still runs, it fails now rather than when
   * its lease runs out.
   */
  private async checkToldByProgram(trialId: string): Promise<TrialOutcome> {
    const { executorHeartbeat } = await this.client.request(ExecutorHeartbeatDocument, { executorId: this.executorId!, trialId }, { idempotent: true });
    return executorHeartbeat.trialState === "RUNNING"
      ? { state: "FAIL", reason: "the trial's program ended without telling the trial's outcome" }
      : { state: "STOPPED" };
  }

  /** Tells the trial's outcome; a trial already finished elsewhere (pruned, cancelled) is left as it is. */
  private async tell(trialId: string, outcome: TrialOutcome, log: Logger): Promise<void> {
    if (outcome.state === "STOPPED") return;
    try {
      if (outcome.state === "FAIL") {
        await this.client.request(FailTrialDocument, { trialId, reason: outcome.reason, attrs: outcome.userAttrs ?? {} }, { idempotent: true });
      } else {
        const values = outcome.state === "COMPLETE" ? outcome.values : null;
        await this.client.request(FinishTrialDocument, { trialId, state: outcome.state, values, attrs: outcome.userAttrs ?? {} }, { idempotent: true });
      }
    } catch (error) {
      if (error instanceof ConflictError) log.info("trial was finished elsewhere", { reason: error.message });
      else log.error("could not tell the trial's outcome", { error: (error as Error).message });
    }
  }

  private context(claim: Claimed, control: AbortController, log: Logger): TrainerContext {
    const signal = control.signal;
    const { trial, search } = claim;
    return {
      trialId: trial.id,
      trialNumber: trial.number,
      params: trial.params as Record<string, JsonValue>,
      task: search.task as Record<string, JsonValue>,
      directions: trial.study.directions,
      device: this.device,
      signal,
      server: { url: this.options.server, apiKey: this.options.apiKey },
      log: (message, fields) => log.info(message, fields),
      report: async (step, objective, metrics = {}): Promise<ReportAnswer> => {
        const points = [{ step, value: objective }, ...Object.entries(metrics).map(([name, value]) => ({ name, step, value }))];
        try {
          const answer = await this.client.request(ReportMetricsDocument, { trialId: trial.id, points }, { idempotent: true, signal });
          return { shouldPrune: answer.reportMetrics.shouldPrune, reason: answer.reportMetrics.reason ?? null };
        } catch (error) {
          // Refused because the trial finished elsewhere (pruned, cancelled, lease lost): stop as a control signal would.
          if (error instanceof ConflictError) control.abort(error);
          throw error;
        }
      },
    };
  }

  /** Heartbeats every heartbeatSeconds; a "stop" answer aborts the work (a fallback for the control stream). */
  private keepAlive(
    claim: Claimed,
    target: { trialId?: string; evaluationSearchId?: string },
    control: AbortController,
    log: Logger,
  ): ReturnType<typeof setInterval> {
    return setInterval(() => {
      this.client
        .request(ExecutorHeartbeatDocument, { executorId: this.executorId!, ...target }, { idempotent: true, signal: control.signal })
        .then(({ executorHeartbeat }) => {
          if (executorHeartbeat.stop) {
            log.info("heartbeat says stop", { reason: executorHeartbeat.reason });
            control.abort(new Error(executorHeartbeat.reason ?? "stop"));
          }
        })
        .catch((error: Error) => {
          if (!control.signal.aborted) log.warn("heartbeat failed", { error: error.message });
        });
    }, claim.heartbeatSeconds * 1000);
  }

  /** Follows the trial's control stream in the background until the trial ends. */
  private watchControl(trialId: string, control: AbortController, log: Logger): void {
    void (async () => {
      try {
        for await (const { trialControl } of this.live.subscribe(TrialControlDocument, () => ({ trialId }), { signal: control.signal })) {
          log.info("control signal", { action: trialControl.action, reason: trialControl.reason, state: trialControl.state });
          control.abort(
            trialControl.action === "PRUNE" && trialControl.state === "RUNNING"
              ? new PruneRequested(trialControl.reason)
              : new Error(`${trialControl.action}: ${trialControl.reason ?? ""}`),
          );
          return;
        }
      } catch (error) {
        if (!control.signal.aborted) log.warn("control stream lost; heartbeats still stop the trial", { error: (error as Error).message });
      }
    })();
  }

  private async evaluate(claim: Claimed): Promise<void> {
    const { trial, search } = claim;
    const log = this.options.logger.child({ searchId: search.id, evaluatedTrialId: trial.id });
    const control = new AbortController();
    this.current = control;
    const heartbeat = this.keepAlive(claim, { evaluationSearchId: search.id }, control, log);
    let metrics: Record<string, number> | null = null;
    let error: string | null = null;
    try {
      const task = search.task as Record<string, JsonValue>;
      const trainer = await this.trainers.get(String(task.trainer));
      if (!trainer.evaluate) throw new Error(`trainer ${trainer.name} cannot evaluate on test data`);
      log.info("evaluating the best trial on test data");
      const { report: _unused, ...context } = this.context(claim, control, log);
      metrics = await trainer.evaluate(context);
    } catch (e) {
      error = (e as Error).message;
    } finally {
      clearInterval(heartbeat);
      this.current = null;
    }
    if (control.signal.aborted && !metrics) return;
    control.abort();
    log.info("evaluation finished", { metrics, error });
    await this.client
      .request(FinishEvaluationDocument, { executorId: this.executorId!, searchId: search.id, metrics, error }, { idempotent: true })
      .catch((e: Error) => log.error("could not store the evaluation", { error: e.message }));
  }
}

/** The pruner said prune while the trial still runs: its executor stops it and tells it PRUNED. */
class PruneRequested extends Error {
  constructor(readonly pruneReason: string | null) {
    super(`PRUNE: ${pruneReason ?? ""}`);
  }
}

/**
 * The outcome to tell for a trial stopped from outside. A prune decision reaches the worker twice,
 * in its report's answer and on the control stream, in either order, and the trial stays RUNNING
 * until someone tells it PRUNED: the worker does, whichever came first. Any other stop (a person
 * pruned it, a tell from elsewhere, a cancel, a lost lease) already finished the trial on the server.
 */
function outcomeStoppedFromOutside(outcome: TrialOutcome, why: unknown): TrialOutcome {
  if (outcome.state === "PRUNED") return outcome;
  if (why instanceof PruneRequested) return { state: "PRUNED", ...(why.pruneReason ? { reason: why.pruneReason } : {}) };
  return { state: "STOPPED" };
}

/** A trial's outcome as claimTrial's `finished` argument. */
function finishedInput(trialId: string, outcome: TrialOutcome) {
  if (outcome.state === "STOPPED") return null;
  return {
    trialId,
    state: outcome.state,
    values: outcome.state === "COMPLETE" ? outcome.values : null,
    reason: outcome.state === "FAIL" ? outcome.reason : null,
    userAttrs: outcome.userAttrs ?? null,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
