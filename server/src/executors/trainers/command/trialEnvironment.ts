import type { JsonValue } from "../../../optimization";
import type { Device } from "../../trainer";
import { formatParamValue } from "./argTemplate";

/** What a trial's program learns about its trial through the environment. */
export interface TrialEnvironmentInput {
  trialId: string;
  trialNumber: number;
  params: Record<string, JsonValue>;
  device: Device;
  server: { url: string; apiKey?: string };
  /** The task's `env`. */
  taskEnv: Record<string, string>;
}

/** `GRAPHTUNE_PARAM_<NAME>`: the name upper-cased, anything but letters and digits as "_". */
export function paramVariableName(param: string): string {
  return `GRAPHTUNE_PARAM_${param.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * The worker's environment, then the task's `env`, then the trial's variables. CUDA_VISIBLE_DEVICES
 * is always the worker's device ("" on a CPU worker), so a program cannot take a GPU it was not
 * given. PYTHONUNBUFFERED=1 unless set: Python buffers a piped stdout in 8 KiB blocks, and metric
 * lines held back that way would reach the pruner late.
 */
export function trialEnvironment(base: NodeJS.ProcessEnv, input: TrialEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PYTHONUNBUFFERED: "1", ...base, ...input.taskEnv };
  env.GRAPHTUNE_TRIAL_ID = input.trialId;
  env.GRAPHTUNE_TRIAL_NUMBER = String(input.trialNumber);
  env.GRAPHTUNE_PARAMS = JSON.stringify(input.params);
  for (const [name, value] of Object.entries(input.params)) env[paramVariableName(name)] = formatParamValue(value);
  env.GRAPHTUNE_URL = input.server.url;
  if (input.server.apiKey !== undefined) env.GRAPHTUNE_API_KEY = input.server.apiKey;
  env.CUDA_VISIBLE_DEVICES = input.device.kind === "gpu" ? String(input.device.index) : "";
  return env;
}
