import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { GraphtuneClient, type JsonValue, type ParamSpecInput } from "../../client-sdk/src";
import { CreateStudyDocument, GetSearchDocument, StartSearchDocument } from "../../client-sdk/src/generated/graphql";
import { fmt, printTable } from "../support/stats";

export interface EndToEndOptions {
  /** The server's GraphQL endpoint. */
  url: string;
  nTrials: number;
  /** The most epochs a trial trains (Hyperband's max resource). */
  epochs: number;
  /** Worker processes started, one trial each at a time (the search's concurrency). */
  workers: number;
  /** The worker's --device; default cpu. */
  device?: string;
  task: { trainer: string } & Record<string, JsonValue>;
  /** The study's declared space; default none (tfjs-mlp then gives its default space). */
  searchSpace?: ParamSpecInput[];
}

/**
 * A search with TPE + HYPERBAND on `workers` worker processes (as `graphtune worker` runs them):
 * prints trials by outcome, epochs run, wall time, the best validation accuracy and its test
 * accuracy (when the trainer evaluates the best trial).
 */
export async function endToEndSearch(options: EndToEndOptions): Promise<void> {
  const { url, nTrials, epochs } = options;
  const client = new GraphtuneClient({ url });
  const studyId = (
    await client.request(CreateStudyDocument, {
      input: {
        name: `digits-e2e-${Date.now()}`,
        directions: ["MAXIMIZE"],
        searchSpace: options.searchSpace ?? null,
        sampler: { type: "TPE", seed: 7 },
        pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: epochs, reductionFactor: 3 } },
      },
    })
  ).createStudy.id;
  const workers = Array.from({ length: options.workers }, () => startWorker(url, options.device ?? "cpu", options.task.trainer));
  const started = Date.now();
  const search = (
    await client.request(StartSearchDocument, {
      input: { studyId, nTrials, concurrency: options.workers, task: options.task },
    })
  ).startSearch;
  let result;
  let lastProgress = Date.now();
  for (;;) {
    result = (await client.request(GetSearchDocument, { id: search.id })).search!;
    if (result.state !== "QUEUED" && result.state !== "RUNNING") break;
    // A progress line every 15 s, so a run cut short by a time limit still says how far it got.
    if (Date.now() - lastProgress >= 15_000) {
      lastProgress = Date.now();
      const s = ((lastProgress - started) / 1000).toFixed(0);
      console.log(`${s} s: ${result.completedTrials} of ${nTrials} trials finished (${result.prunedTrials} pruned, ${result.failedTrials} failed)`);
    }
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
      test?.testAccuracy !== undefined ? fmt(test.testAccuracy, 4) : `- (evaluation ${result.evaluation.state})`,
      result.state,
    ]],
  );
  if (result.failedTrials > 0) {
    const failed: any = await client.request(
      `query($id: ID!) { study(id: $id) { trials(first: 1, states: [FAIL]) { edges { node { number failReason userAttrs } } } } }`,
      { id: studyId },
    );
    const t = failed.study.trials.edges[0]?.node;
    if (t) console.log(`trial ${t.number} failed: ${t.failReason} ${JSON.stringify(t.userAttrs).slice(0, 1000)}`);
  }
  if (result.bestTrial) console.log(`best trial ${result.bestTrial.number}: ${JSON.stringify(result.bestTrial.params)}`);
}

function startWorker(url: string, device: string, trainer: string): ChildProcess {
  const main = path.resolve(__dirname, "../../server/src/cli/main.js");
  return spawn(process.execPath, [main, "worker", "--server", url, "--device", device, "--trainers", trainer, "--idle-ms", "200"], {
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
