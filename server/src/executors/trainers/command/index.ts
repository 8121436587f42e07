import { formatDevice, type Device, type Trainer } from "../../trainer";
import { runCommandTrial, type RunningTrial } from "./commandRun";

export interface CommandTrainerOptions {
  /** The worker's device, as logged. Each program sees its trial's device (TrainerContext.device) as CUDA_VISIBLE_DEVICES: "" on cpu, N on gpu:N. */
  device: Device;
  /** Where the trainer logs outside any trial. Default: nowhere. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The `command` trainer: runs any program once per trial (see CommandTask for the task's fields).
 * Each program runs in a process group of its own; `run` resolves only once that group is gone.
 */
export async function createCommandTrainer(options: CommandTrainerOptions): Promise<Trainer> {
  const running = new Set<RunningTrial>();
  options.log?.("command trainer ready", { device: formatDevice(options.device) });
  return {
    name: "command",
    backend: () => "process",
    run: (ctx) => runCommandTrial(ctx, running),
    // Trials still running when the worker closes are killed outright; their runs then resolve.
    close: async () => {
      const ended = [...running].map((trial) => trial.ended);
      for (const trial of running) trial.kill("The worker closed while the trial ran; its program was killed.");
      await Promise.all(ended);
    },
  };
}

export type { CommandTask } from "../../tasks/commandTask";
