import type { JsonValue } from "../../optimization";
import { parseArgTemplate } from "../trainers/command/argTemplate";
import { TaskError, type TaskDefinition } from "./taskDefinition";

/** Where a command's metrics come from. */
export type MetricsSource = "stdout" | "sdk";

/** A checked `command` task: runs one program per trial. */
export interface CommandTask {
  trainer: "command";
  /**
   * The program and its arguments (no shell). `{name}` is replaced by the trial's parameter of that
   * name, `{trial.id}` and `{trial.number}` by the trial's; `{{` and `}}` are literal braces.
   */
  argv: string[];
  /** Working directory, relative to the worker's. Default: null, the worker's working directory. */
  cwd: string | null;
  /** Extra environment variables, on top of the worker's own. Default: {}. */
  env: Record<string, string>;
  /**
   * "stdout" (default): JSON lines such as `{"step": 3, "loss": 0.41}` on standard output are the
   * trial's metrics. "sdk": the program reports (and tells its trial) itself through the API, with
   * GRAPHTUNE_TRIAL_ID and GRAPHTUNE_URL from its environment; the worker only watches it.
   */
  metricsFrom: MetricsSource;
  /** The key of a metric line that holds the objective. Default: "objective", or "loss" on a line without one. */
  objective: string;
  /** Seconds a trial may run before it is stopped and failed. Default: null, no limit. */
  timeoutSeconds: number | null;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped. Default: 10. */
  killGraceSeconds: number;
  /** Lines of output (stdout and stderr together) kept for a failed trial's outputTail. Default: 50. */
  tailLines: number;
}

export const COMMAND_DEFAULTS = {
  cwd: null,
  metricsFrom: "stdout",
  objective: "objective",
  timeoutSeconds: null,
  killGraceSeconds: 10,
  tailLines: 50,
} as const;

/** Most lines a trial keeps of its output: the tail lives in the trial's attributes. */
export const MAX_TAIL_LINES = 1000;

const FIELDS = ["trainer", "argv", "cwd", "env", "metricsFrom", "objective", "timeoutSeconds", "killGraceSeconds", "tailLines"];

/** Variables the worker sets for each trial; a task may not override them. */
const RESERVED_ENV = /^(GRAPHTUNE_|CUDA_VISIBLE_DEVICES$)/;

/** Checks a `command` task and returns it with every default filled in. Throws TaskError naming the field. */
export function readCommandTask(task: Record<string, JsonValue>): CommandTask {
  for (const key of Object.keys(task)) {
    if (!FIELDS.includes(key)) throw new TaskError(`task.${key} is not a field of a command task; the fields are ${FIELDS.join(", ")}.`, `task.${key}`);
  }
  if (task.trainer !== "command") throw new TaskError(`task.trainer must be "command" for a command task.`, "task.trainer");
  return {
    trainer: "command",
    argv: readArgv(task.argv),
    cwd: readCwd(task.cwd),
    env: readEnv(task.env),
    metricsFrom: readMetricsFrom(task.metricsFrom),
    objective: readObjective(task.objective),
    timeoutSeconds: readTimeout(task.timeoutSeconds),
    killGraceSeconds: readKillGrace(task.killGraceSeconds),
    tailLines: readTailLines(task.tailLines),
  };
}

/** The server's view of the command trainer: no default search space (the user declares one). */
export const commandTask: TaskDefinition = {
  trainer: "command",
  check: (task) => readCommandTask(task) as unknown as Record<string, JsonValue>,
  evaluatesBestTrial: false,
};

function readArgv(value: JsonValue | undefined): string[] {
  const message = 'task.argv must be a non-empty array of strings, e.g. ["python3", "train.py", "--lr", "{lr}"]';
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === "string")) {
    throw new TaskError(message, "task.argv");
  }
  const argv = value as string[];
  if (argv[0].trim() === "") throw new TaskError("task.argv[0] must name the program to run; it is empty.", "task.argv[0]");
  argv.forEach((arg, i) => {
    try {
      parseArgTemplate(arg);
    } catch (error) {
      throw new TaskError(`task.argv[${i}]: ${(error as Error).message}`, `task.argv[${i}]`);
    }
  });
  return [...argv];
}

function readCwd(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.cwd;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TaskError("task.cwd must be a directory path, or null for the worker's working directory.", "task.cwd");
  }
  return value;
}

function readEnv(value: JsonValue | undefined): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TaskError('task.env must be an object of variable names to string values, e.g. {"OMP_NUM_THREADS": "1"}.', "task.env");
  }
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    const field = `task.env.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TaskError(`${field}: a variable name is letters, digits and "_", not starting with a digit.`, field);
    }
    if (RESERVED_ENV.test(name)) {
      throw new TaskError(`${field} is set by the worker for each trial (trial, parameters, server, device); remove it from the task.`, field);
    }
    if (typeof v !== "string") throw new TaskError(`${field} must be a string; write it in quotes (got ${JSON.stringify(v)}).`, field);
    env[name] = v;
  }
  return env;
}

function readMetricsFrom(value: JsonValue | undefined): MetricsSource {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.metricsFrom;
  if (value !== "stdout" && value !== "sdk") {
    throw new TaskError(`task.metricsFrom must be "stdout" (JSON metric lines) or "sdk" (the program reports through the API); got ${JSON.stringify(value)}.`, "task.metricsFrom");
  }
  return value;
}

function readObjective(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.objective;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TaskError('task.objective must be the key of a metric line that holds the objective, e.g. "val_loss".', "task.objective");
  }
  return value;
}

function readTimeout(value: JsonValue | undefined): number | null {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.timeoutSeconds;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TaskError("task.timeoutSeconds must be a number of seconds above 0, or null for no limit.", "task.timeoutSeconds");
  }
  return value;
}

function readKillGrace(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.killGraceSeconds;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 3600) {
    throw new TaskError("task.killGraceSeconds must be a number of seconds from 0 to 3600.", "task.killGraceSeconds");
  }
  return value;
}

function readTailLines(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return COMMAND_DEFAULTS.tailLines;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_TAIL_LINES) {
    throw new TaskError(`task.tailLines must be a whole number from 0 to ${MAX_TAIL_LINES}.`, "task.tailLines");
  }
  return value;
}
