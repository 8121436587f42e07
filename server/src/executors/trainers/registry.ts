import type { Device, Trainer } from "../trainer";

export interface TrainerFactoryOptions {
  device: Device;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Every trainer a worker can run, loaded on first use: a worker that runs only commands never
 * loads TensorFlow.js.
 */
const factories: Record<string, (options: TrainerFactoryOptions) => Promise<Trainer>> = {
  "tfjs-mlp": async (options) => (await import("./tfjs/index.js")).createTfjsMlpTrainer(options),
  "tfjs-lr-range": async (options) => (await import("./tfjs/index.js")).createLrRangeTrainer(options),
  command: async (options) => (await import("./command/index.js")).createCommandTrainer(options),
};

export const trainerNames: readonly string[] = Object.keys(factories);

/** Creates each trainer once and keeps it for the worker's life. */
export class TrainerPool {
  private readonly made = new Map<string, Promise<Trainer>>();

  constructor(private readonly options: TrainerFactoryOptions) {}

  get(name: string): Promise<Trainer> {
    const factory = factories[name];
    if (!factory) return Promise.reject(new Error(`no trainer named "${name}" here; this worker runs ${trainerNames.join(", ")}.`));
    let trainer = this.made.get(name);
    if (!trainer) {
      trainer = factory(this.options);
      this.made.set(name, trainer);
      trainer.catch(() => this.made.delete(name));
    }
    return trainer;
  }

  async close(): Promise<void> {
    const trainers = await Promise.allSettled([...this.made.values()]);
    for (const t of trainers) if (t.status === "fulfilled") await t.value.close?.();
    this.made.clear();
  }
}
