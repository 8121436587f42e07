/**
 * `npm run bench:executors`: what running trials on executors costs and gives.
 *
 * 1. Overhead between trials on an idle worker (bench/executors/overhead.ts), RANDOM and TPE.
 * 2. Training speed of tfjs-mlp against model.fit and PyTorch (bench/executors/trainingSpeed.ts).
 * 3. A worker's memory and tf tensors after 1, 10 and 100 trials (bench/executors/trainerMemory.ts).
 * 4. An end-to-end search on digits: TPE + HYPERBAND, 60 trials, 2 concurrent on two worker
 *    processes, with the best validation accuracy and the best trial's test accuracy.
 *
 * Flags: --trials N (overhead trials, default 40), --search-trials N (default 60), --epochs N (per
 * trial of the search, default 30), --skip overhead,speed,memory,search.
 */
import { endToEndSearch } from "./executors/endToEndSearch";
import { measureOverhead, overheadRow } from "./executors/overhead";
import { benchDatabaseServer } from "./support/postgres";
import { startServerProcess } from "./support/serverProcess";
import { printTable } from "./support/stats";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const skipped = new Set((args[args.indexOf("--skip") + 1] ?? "").split(","));
const skip = (part: string) => args.includes("--skip") && skipped.has(part);

async function main(): Promise<void> {
  const pg = await benchDatabaseServer();
  const server = await startServerProcess(await pg.createDatabase("bench_executors"));
  try {
    if (!skip("overhead")) {
      const trials = flag("trials", 40);
      console.log(`\n## Overhead between trials (tfjs-mlp on digits, 2-epoch trials, one in-process worker, ${trials} trials)`);
      console.log("gap: trainer of trial k returns -> trainer of trial k+1 entered (tell, claim with sampling, set-up);");
      console.log("set-up: trainer entered -> first epoch starts; baseline: askTrial + tellTrial round trips, same sampler.\n");
      const rows: string[][] = [];
      for (const sampler of ["RANDOM", "TPE"]) rows.push(overheadRow(await measureOverhead(server.url, sampler, trials)));
      printTable(["sampler", "trials", "gap p50 ms", "gap p90 ms", "set-up p50 ms", "to first epoch p50 ms", "baseline p50 ms", "ratio"], rows);
    }
    if (!skip("speed")) {
      const { runTrainingSpeed } = await import("./executors/trainingSpeed.js");
      await runTrainingSpeed();
    }
    if (!skip("memory")) {
      const { runTrainerMemory } = await import("./executors/trainerMemory.js");
      await runTrainerMemory();
    }
    if (!skip("search")) {
      const nTrials = flag("search-trials", 60);
      const epochs = flag("epochs", 30);
      console.log(`\n## End-to-end search: tfjs-mlp on digits, TPE + HYPERBAND, ${nTrials} trials, 2 concurrent (2 worker processes)\n`);
      await endToEndSearch({ url: server.url, nTrials, epochs, workers: 2, task: { trainer: "tfjs-mlp", dataset: "digits", epochs, patience: 5 } });
    }
  } finally {
    await server.stop();
    await pg.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
