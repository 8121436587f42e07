import type { Device, Trainer } from "../../trainer";
import { runCommandTrial } from "./commandRun";
import type { ProcessGroup } from "./processGroup";

export interface CommandTrainerOptions {
  /** The worker's device; each trial's program sees it as CUDA_VISIBLE_DEVICES ("" on cpu). */
  device: Device;
  /** Where the trainer logs outside any trial. Default: nowhere. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The `command` trainer: runs any program once per trial (see CommandTask for the task's fields).
 * Each program runs in a process group of its own; `run` resolves only once that group is gone.
 */
export async function createCommandTrainer(options: CommandTrainerOptions): Promise<Trainer> {
  const running = new Set<ProcessGroup>();
  options.log?.("command trainer ready", { device: options.device.kind === "gpu" ? `gpu:${options.device.index}` : "cpu" });
  return {
    name: "command",
    backend: () => "process",
    run: (ctx) => runCommandTrial(ctx, running),
    // Trials still running when the worker closes are killed outright.
    close: async () => {
      await Promise.all([...running].map((group) => group.stop(0)));
    },
  };
}

export type { CommandTask } from "../../tasks/commandTask";
