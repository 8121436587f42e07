import type { JsonValue } from "../../../optimization";
import type { CommandTask } from "../../tasks/commandTask";
import type { TrialOutcome } from "../../trainer";
import type { OutputTail } from "./outputTail";
import type { ProcessExit } from "./processGroup";

/** Why the trainer stopped a program; the first reason wins. */
export type StopReason = { kind: "prune"; reason: string } | { kind: "signal" } | { kind: "timeout" } | { kind: "fail"; reason: string };

/** What a run saw of its program, once the program's group is gone. */
export interface RunSummary {
  task: CommandTask;
  /** The argv as run (templates filled in). */
  argv: string[];
  /** The study's directions (their count is the number of values a trial gives). */
  directions: string[];
  exit: ProcessExit;
  stop: StopReason | null;
  tail: OutputTail;
  /** From the last final line, if any. */
  finalValues?: number[];
  /** The last objective reported. */
  lastObjective?: number;
  /** Why the first metric-like line that could not be used was not. */
  firstHint?: string;
}

/**
 * How a trial ended: a stop the trainer asked for says it first; then a failed exit; then the
 * final line's values, or the last objective reported. A failure keeps exitCode, signal and the
 * output's tail in userAttrs.
 */
export function commandOutcome(seen: RunSummary): TrialOutcome {
  const { task, argv, exit, stop, tail } = seen;
  const userAttrs = (): Record<string, JsonValue> => ({ exitCode: exit.code, signal: exit.signal, outputTail: tail.toString() });
  const fail = (reason: string): TrialOutcome => ({ state: "FAIL", reason, userAttrs: userAttrs() });
  if (stop?.kind === "prune") return { state: "PRUNED", reason: stop.reason };
  if (stop?.kind === "signal") return { state: "STOPPED" };
  if (stop?.kind === "timeout") return fail(`Ran longer than task.timeoutSeconds (${task.timeoutSeconds} s) and was stopped; raise the limit or make the trial shorter.`);
  if (stop?.kind === "fail") return fail(stop.reason);

  const program = JSON.stringify(argv[0]);
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}${exit.signal === "SIGKILL" ? " (out of memory?)" : ""}` : `exited with code ${exit.code}`;
    const last = tail.lastNonBlank();
    return fail(`${program} ${how}${last ? `; its last output: ${last.slice(0, 300)}` : ""}.`);
  }
  const values = seen.finalValues ?? (seen.lastObjective === undefined ? undefined : [seen.lastObjective]);
  if (!values) {
    // The program told its trial itself through the API; the worker has nothing to add.
    if (task.metricsFrom === "sdk") return { state: "STOPPED" };
    const hint = seen.firstHint ? ` One line looked meant as metrics but was not usable: ${seen.firstHint}` : "";
    return fail(
      `${program} exited with code 0 but reported no objective: print JSON lines such as {"step": 1, "${task.objective === "objective" ? "loss" : task.objective}": 0.5} or a last line {"final": 0.37} on stdout.${hint}`,
    );
  }
  if (seen.directions.length > 0 && values.length !== seen.directions.length) {
    return fail(`${program} gave ${values.length} final value(s) but the study has ${seen.directions.length} objectives; print {"values": [...]} with one value per objective.`);
  }
  if (!values.every(Number.isFinite)) return fail(`${program} gave a final value that is not a finite number (${values.join(", ")}).`);
  return { state: "COMPLETE", values };
}

/** Why a program could not start, and what to do about it. */
export function startFailureReason(error: NodeJS.ErrnoException, program: string, cwd: string): string {
  const name = JSON.stringify(program);
  if (error.code === "ENOENT") {
    return program.includes("/")
      ? `Program ${name} (task.argv[0]) was not found from ${cwd} (or the interpreter its #! line names is missing); check the path.`
      : `Program ${name} (task.argv[0]) was not found on this worker's PATH; install it or give its full path.`;
  }
  if (error.code === "EACCES") return `Program ${name} (task.argv[0]) is not executable; chmod +x it, or run it through its interpreter (e.g. ["python3", "train.py"]).`;
  return `Could not start ${name} (task.argv[0]): ${error.message}`;
}
