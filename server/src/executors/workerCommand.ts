import type { Logger } from "../logging";
import { parseDevice } from "./trainer";
import { Worker } from "./worker";

/**
 * `graphtune worker`: flags over environment variables over defaults, then the claim loop until
 * SIGTERM or SIGINT (the trial in progress stops and fails, to be retried) or --max-trials.
 */
export async function runWorker(flags: Record<string, string>, env: NodeJS.ProcessEnv, logger: Logger): Promise<void> {
  const pick = (flag: string, name: string) => flags[flag] ?? (env[name] || undefined);
  const device = parseDevice(pick("device", "GRAPHTUNE_DEVICE") ?? "cpu");
  if (device.kind === "gpu" && env.CUDA_VISIBLE_DEVICES === undefined) {
    // Before any backend loads: the trainers and the programs they start see only this GPU.
    process.env.CUDA_VISIBLE_DEVICES = String(device.index);
  }
  const maxTrials = flags["max-trials"] ? Number(flags["max-trials"]) : undefined;
  if (maxTrials !== undefined && (!Number.isInteger(maxTrials) || maxTrials < 1)) {
    throw new Error(`--max-trials must be a positive whole number (got "${flags["max-trials"]}").`);
  }
  const worker = new Worker({
    server: pick("server", "GRAPHTUNE_SERVER") ?? "http://127.0.0.1:4000/graphql",
    apiKey: pick("api-key", "GRAPHTUNE_API_KEY"),
    device,
    trainers: flags.trainers ? flags.trainers.split(",").map((t) => t.trim()).filter(Boolean) : undefined,
    searchId: flags.search,
    maxClaims: maxTrials,
    idleWaitMs: flags["idle-ms"] ? Number(flags["idle-ms"]) : undefined,
    logger,
  });
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    logger.info("worker stopping", { signal });
    stopping ??= worker.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await startWithRetry(worker, logger);
  await worker.finished();
  if (!stopping) await worker.stop();
  process.exit(0);
}

/** A worker may start before its server: keep trying to register, with a pause between tries. */
async function startWithRetry(worker: Worker, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await worker.start();
      return;
    } catch (error) {
      logger.warn("could not register with the server; retrying", { attempt, error: (error as Error).message });
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
    }
  }
}
