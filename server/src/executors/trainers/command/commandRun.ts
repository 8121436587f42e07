import { statSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { readCommandTask, type CommandTask } from "../../tasks/commandTask";
import type { TrainerContext, TrialOutcome } from "../../trainer";
import { renderArgv } from "./argTemplate";
import { LineSplitter } from "./lineSplitter";
import { parseMetricLine, type StepMetrics } from "./metricLine";
import { OutputTail } from "./outputTail";
import { ProcessGroup } from "./processGroup";
import { trialEnvironment } from "./trialEnvironment";
import { commandOutcome, startFailureReason, type StopReason } from "./trialOutcome";

/** Longest line read whole; longer ones are cut (a metric line is far shorter). */
const MAX_LINE_CHARS = 64 * 1024;
/** Metric lines waiting for their report before stdout is paused (the program then waits on its writes). */
const QUEUE_PAUSE_AT = 256;
const QUEUE_RESUME_AT = 64;
/** How long output pipes may stay open once the program's group is gone (a process that left the group holds them). */
const PIPE_CLOSE_WAIT_MS = 2000;

/** A trial in progress, as the trainer sees it when it closes. */
export interface RunningTrial {
  /** Fails the trial with `reason` and kills its process group at once (no grace). */
  kill(reason: string): void;
  /** Resolves once the trial's run has resolved (its group is gone). */
  readonly ended: Promise<void>;
}

/**
 * Runs one trial of a `command` task: starts the program, turns its metric lines into reports,
 * stops it on prune, abort or timeout, and resolves once no process of its group is left.
 */
export async function runCommandTrial(ctx: TrainerContext, running: Set<RunningTrial>): Promise<TrialOutcome> {
  let task: CommandTask;
  try {
    task = readCommandTask(ctx.task);
  } catch (error) {
    return { state: "FAIL", reason: `The task is not a valid command task: ${(error as Error).message}` };
  }
  const argv = renderArgv(task.argv, ctx);
  if ("reason" in argv) return { state: "FAIL", reason: argv.reason };
  const cwd = path.resolve(task.cwd ?? ".");
  if (!isDirectory(cwd)) return { state: "FAIL", reason: `task.cwd "${cwd}" is not a directory on this worker; create it or fix the path.` };
  if (ctx.signal.aborted) return { state: "STOPPED" };

  const env = trialEnvironment(process.env, { ...ctx, taskEnv: task.env });
  let group: ProcessGroup;
  try {
    group = ProcessGroup.start(argv.argv, { cwd, env });
  } catch (error) {
    return { state: "FAIL", reason: `Could not start ${JSON.stringify(argv.argv[0])}: ${(error as Error).message}` };
  }
  if (group.pid !== undefined) ctx.log("command: started", { pid: group.pid, argv: argv.argv });
  return watch(ctx, task, argv.argv, cwd, group, running);
}

async function watch(ctx: TrainerContext, task: CommandTask, argv: string[], cwd: string, group: ProcessGroup, running: Set<RunningTrial>): Promise<TrialOutcome> {
  const started = Date.now();
  const graceMs = task.killGraceSeconds * 1000;
  const tail = new OutputTail(task.tailLines);
  const queue: StepMetrics[] = [];
  let stop = null as StopReason | null;
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let draining: Promise<void> | null = null;
  let lastObjective: number | undefined;
  let finalValues: number[] | undefined;
  let firstHint: string | undefined;

  const requestStop = (reason: StopReason) => {
    if (stop) return;
    stop = reason;
    queue.length = 0;
    stopRequested();
    void group.stop(graceMs);
  };

  const drain = async () => {
    while (queue.length > 0 && !stop) {
      const m = queue.shift()!;
      if (queue.length <= QUEUE_RESUME_AT) group.stdout.resume();
      if (!Number.isFinite(m.objective)) {
        requestStop({ kind: "fail", reason: `The objective "${m.objectiveKey}" was ${m.objective} at step ${m.step}; the run diverged.` });
        break;
      }
      try {
        const answer = await ctx.report(m.step, m.objective, m.metrics);
        lastObjective = m.objective;
        if (answer.shouldPrune) requestStop({ kind: "prune", reason: answer.reason ?? `Pruned at step ${m.step}.` });
      } catch (error) {
        requestStop({ kind: "fail", reason: `Reporting step ${m.step} failed: ${(error as Error).message}` });
      }
    }
    draining = null;
    group.stdout.resume();
  };

  const onStdoutLine = (line: string, truncated: boolean) => {
    tail.push(line, truncated);
    if (truncated || stop) return;
    const parsed = parseMetricLine(line, task.objective);
    if (!parsed) return;
    if (parsed.final) finalValues = parsed.final;
    if (parsed.unusable && !firstHint) {
      firstHint = parsed.unusable;
      ctx.log("command: a metric line was not usable", { hint: parsed.unusable });
    }
    // With metricsFrom "sdk" the program reports itself; only a final line is read.
    if (!parsed.report || task.metricsFrom !== "stdout") return;
    queue.push(parsed.report);
    if (queue.length >= QUEUE_PAUSE_AT) group.stdout.pause();
    draining ??= drain();
  };
  const stdoutLines = new LineSplitter(MAX_LINE_CHARS, onStdoutLine);
  const stderrLines = new LineSplitter(MAX_LINE_CHARS, (line, truncated) => tail.push(line, truncated));
  group.stdout.on("data", (chunk: Buffer) => stdoutLines.push(chunk));
  group.stdout.on("end", () => stdoutLines.end());
  group.stderr.on("data", (chunk: Buffer) => stderrLines.push(chunk));
  group.stderr.on("end", () => stderrLines.end());
  // An error on a pipe ends it as well (the lines read so far stay).
  const pipesClosed = Promise.all([group.stdout, group.stderr].map((pipe) => once(pipe, "close").catch(() => undefined)));

  let ended!: () => void;
  const trial: RunningTrial = {
    kill: (reason) => {
      requestStop({ kind: "fail", reason });
      group.killNow();
    },
    ended: new Promise((resolve) => (ended = resolve)),
  };
  running.add(trial);
  const onAbort = () => requestStop({ kind: "signal" });
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const timer = task.timeoutSeconds === null ? null : setTimeout(() => requestStop({ kind: "timeout" }), task.timeoutSeconds * 1000);
  try {
    const end = await group.ended;
    if ("startError" in end) return { state: "FAIL", reason: startFailureReason(end.startError, argv[0], cwd) };
    // Children the program left behind go too; then the pipes close and every line has been read.
    await group.stop(graceMs);
    const timedOut = await Promise.race([pipesClosed.then(() => false), sleep(PIPE_CLOSE_WAIT_MS).then(() => true)]);
    if (timedOut) {
      ctx.log("command: output pipes still open after the program's group ended (a process left the group); closing them");
      group.stdout.destroy();
      group.stderr.destroy();
    }
    // Every metric line is reported, in order, before the trial ends (unless it is being stopped).
    while (draining && !stop) await Promise.race([draining, stopped]);
    ctx.log("command: ended", { exitCode: end.exit.code, signal: end.exit.signal, seconds: (Date.now() - started) / 1000, stop: stop?.kind ?? null });
    return commandOutcome({ task, argv, directions: ctx.directions, exit: end.exit, stop, tail, finalValues, lastObjective, firstHint });
  } finally {
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
    // Whatever happened above, no process of the trial outlives its run.
    await group.stop(graceMs);
    running.delete(trial);
    ended();
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
