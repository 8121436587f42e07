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
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { GraphtuneClient } from "../client-sdk/src";
import { CreateStudyDocument, GetSearchDocument, StartSearchDocument } from "../client-sdk/src/generated/graphql";
import { measureOverhead, overheadRow } from "./executors/overhead";
import { benchDatabaseServer } from "./support/postgres";
import { startServerProcess } from "./support/serverProcess";
import { fmt, printTable } from "./support/stats";

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
    if (!skip("search")) await endToEndSearch(server.url, flag("search-trials", 60), flag("epochs", 30));
  } finally {
    await server.stop();
    await pg.stop();
  }
}

/** TPE + HYPERBAND on digits with two worker processes, as `graphtune worker` runs them. */
async function endToEndSearch(url: string, nTrials: number, epochs: number): Promise<void> {
  console.log(`\n## End-to-end search: tfjs-mlp on digits, TPE + HYPERBAND, ${nTrials} trials, 2 concurrent (2 worker processes)\n`);
  const client = new GraphtuneClient({ url });
  const studyId = (
    await client.request(CreateStudyDocument, {
      input: {
        name: `digits-e2e-${Date.now()}`,
        directions: ["MAXIMIZE"],
        sampler: { type: "TPE", seed: 7 },
        pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: epochs, reductionFactor: 3 } },
      },
    })
  ).createStudy.id;
  const workers = [0, 1].map(() => startWorker(url));
  const started = Date.now();
  const search = (
    await client.request(StartSearchDocument, {
      input: { studyId, nTrials, concurrency: 2, task: { trainer: "tfjs-mlp", dataset: "digits", epochs, patience: 5 } },
    })
  ).startSearch;
  let result;
  for (;;) {
    result = (await client.request(GetSearchDocument, { id: search.id })).search!;
    if (result.state !== "QUEUED" && result.state !== "RUNNING") break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const seconds = (Date.now() - started) / 1000;
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.once("exit", () => resolve()), w.kill("SIGTERM")))));
  const epochsRun = await totalEpochs(client, studyId);
  const test = result.evaluation.metrics as Record<string, number> | null;
  printTable(
    ["trials", "complete", "pruned", "failed", "epochs run", "of max", "wall s", "best val accuracy", "its test accuracy", "state"],
    [[
      String(nTrials),
      String(result.completedTrials - result.prunedTrials),
      String(result.prunedTrials),
      String(result.failedTrials),
      String(epochsRun),
      String(nTrials * epochs),
      fmt(seconds),
      result.bestTrial?.values?.[0] !== undefined ? fmt(result.bestTrial.values[0], 4) : "-",
      test?.testAccuracy !== undefined ? fmt(test.testAccuracy, 4) : JSON.stringify(result.evaluation),
      result.state,
    ]],
  );
  if (result.bestTrial) console.log(`best trial ${result.bestTrial.number}: ${JSON.stringify(result.bestTrial.params)}`);
}

function startWorker(url: string): ChildProcess {
  const main = path.resolve(__dirname, "../server/src/cli/main.js");
  return spawn(process.execPath, [main, "worker", "--server", url, "--trainers", "tfjs-mlp", "--idle-ms", "200"], {
    env: { ...process.env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** Epochs trained over all trials: the number of objective reports. */
async function totalEpochs(client: GraphtuneClient, studyId: string): Promise<number> {
  let total = 0;
  let after: string | null = null;
  for (;;) {
    const data: any = await client.request(
      `query($id: ID!, $after: String) { study(id: $id) { trials(first: 100, after: $after) {
        edges { node { intermediateValues { step } } } pageInfo { hasNextPage endCursor } } } }`,
      { id: studyId, after },
    );
    for (const e of data.study.trials.edges) total += e.node.intermediateValues.length;
    if (!data.study.trials.pageInfo.hasNextPage) return total;
    after = data.study.trials.pageInfo.endCursor;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
