/**
 * `npm run bench:sdk`: what the SDK costs per trial on top of raw GraphQL requests.
 *
 * One server process (as `npm start` runs it) and, in this process, two clients running the same
 * training-script workload over the same transport (the global fetch): ask, R reports of the
 * objective, tell, for a declared space of three parameters (random sampler, no pruner).
 *
 * - raw: hand-written fetch calls with the same query texts the SDK sends;
 * - sdk: study.optimize with suggestFloat/Int/Categorical, trial.report and the automatic tell.
 *
 * Runs alternate (raw, sdk, raw, sdk, ...) so that drift hits both alike. Printed per workload:
 * median wall time per trial and median client CPU per trial (this process's user + system time,
 * where the SDK's own work shows), and the ratio sdk / raw of each.
 *
 * Flags: --trials N (per run, default 300), --reps N (default 5), --reports N (default 10).
 */
import { Graphtune, categoricalParam, floatParam, intParam } from "../client-sdk/src";
import { AskTrialDocument, ReportMetricsDocument, TellTrialDocument } from "../client-sdk/src/generated/graphql";
import { benchDatabaseServer } from "./support/postgres";
import { startServerProcess } from "./support/serverProcess";
import { fmt, median, printTable } from "./support/stats";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TRIALS = flag("trials", 300);
const REPS = flag("reps", 5);
const REPORTS = flag("reports", 10);
/** Trials per run of runRaw and runSdk. */
let trialsPerRun = TRIALS;

const SPACE = [floatParam("lr", 1e-5, 1, { log: true }), intParam("layers", 1, 6), categoricalParam("optimizer", ["adam", "sgd"])];
const ASK = AskTrialDocument.toString();
const REPORT = ReportMetricsDocument.toString();
const TELL = TellTrialDocument.toString();

/** The loss a trial reports at each step: cheap, so that the clients are what is measured. */
const loss = (lr: number, layers: number, step: number) => (Math.log10(lr) + 2) ** 2 + layers / 10 + 1 / (step + 1);

interface Workload {
  name: string;
  reports: number;
  concurrency: number;
}

interface Sample {
  wallMs: number;
  cpuUs: number;
}

let studySeq = 0;

async function newStudyId(gt: Graphtune): Promise<string> {
  const study = await gt.createStudy({ name: `bench-sdk-${Date.now()}-${studySeq++}`, sampler: { type: "RANDOM", seed: 1 }, searchSpace: SPACE });
  return study.id;
}

/** Raw GraphQL over fetch: what a script without the SDK sends. */
async function runRaw(url: string, studyId: string, w: Workload, fetchImpl: typeof fetch = fetch): Promise<void> {
  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetchImpl(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  let started = 0;
  const worker = async () => {
    while (started < trialsPerRun) {
      started++;
      const trial = (await post(ASK, { studyId })).askTrial;
      const { lr, layers } = trial.params;
      let value = 0;
      for (let step = 0; step < w.reports; step++) {
        value = loss(lr, layers, step);
        await post(REPORT, { trialId: trial.id, points: [{ step, value }] });
      }
      await post(TELL, { trialId: trial.id, state: "COMPLETE", values: [value || loss(lr, layers, 0)] });
    }
  };
  await Promise.all(Array.from({ length: w.concurrency }, worker));
}

/** The same through the SDK's Optuna-style layer. */
async function runSdk(gt: Graphtune, studyName: string, w: Workload): Promise<void> {
  const study = await gt.loadStudy(studyName);
  await study.optimize(
    async (trial) => {
      const lr = await trial.suggestFloat("lr", 1e-5, 1, { log: true });
      const layers = await trial.suggestInt("layers", 1, 6);
      await trial.suggestCategorical("optimizer", ["adam", "sgd"]);
      let value = 0;
      for (let step = 0; step < w.reports; step++) {
        value = loss(lr, layers, step);
        await trial.report(value, step);
      }
      return value || loss(lr, layers, 0);
    },
    { nTrials: trialsPerRun, concurrency: w.concurrency },
  );
}

/** runRaw with canned answers. */
function runRawCanned(study: Record<string, unknown>, w: Workload & { trials: number }): Promise<void> {
  return withTrials(w.trials, () => runRaw("http://canned/graphql", String(study.id), w, cannedFetch(study)));
}

/** runSdk with canned answers. */
function runSdkCanned(gt: Graphtune, study: Record<string, unknown>, w: Workload & { trials: number }): Promise<void> {
  return withTrials(w.trials, () => runSdk(gt, String(study.name), w));
}

/** Runs `run` with the trial count set to `n`. */
async function withTrials(n: number, run: () => Promise<void>): Promise<void> {
  const saved = trialsPerRun;
  trialsPerRun = n;
  try {
    await run();
  } finally {
    trialsPerRun = saved;
  }
}

async function measure(run: () => Promise<void>, trials = TRIALS): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs: wallMs / trials, cpuUs: (used.user + used.system) / trials };
}

/**
 * A fetch that answers at once with canned bodies (by the operation's first field), so that only
 * the clients' own work is timed: building requests, parsing answers, the SDK's objects.
 */
function cannedFetch(study: Record<string, unknown>): typeof fetch {
  let number = 0;
  const answers: Record<string, () => unknown> = {
    askTrial: () => ({ id: String(number + 1), number: number++, state: "RUNNING", params: { lr: 0.01, layers: 3, optimizer: "adam" } }),
    reportMetrics: () => ({ shouldPrune: false, reason: null }),
    tellTrial: () => ({ id: "1", number: 0, state: "COMPLETE", values: [1] }),
    study: () => ({ ...study, trialCount: number, bestTrials: [] }),
  };
  return async (_input, init) => {
    const { query } = JSON.parse(String(init!.body));
    const field = /\{\s*(\w+)/.exec(query)![1];
    return new Response(JSON.stringify({ data: { [field]: answers[field]() } }), { headers: { "content-type": "application/json" } });
  };
}

async function main() {
  const dbServer = await benchDatabaseServer();
  const databaseUrl = await dbServer.createDatabase("graphtune_bench_sdk");
  const server = await startServerProcess(databaseUrl);
  const gt = new Graphtune({ url: server.url });
  try {
    const workloads: Workload[] = [
      { name: `ask + ${REPORTS} reports + tell, 1 client`, reports: REPORTS, concurrency: 1 },
      { name: "ask + tell, 1 client", reports: 0, concurrency: 1 },
      { name: `ask + ${REPORTS} reports + tell, 4 clients`, reports: REPORTS, concurrency: 4 },
    ];
    console.log(`bench:sdk: ${TRIALS} trials per run, ${REPS} runs per client and workload, Node ${process.version}\n`);
    // Warm both paths (JIT, connection pools, the server's statement cache).
    const warm = { name: "warm", reports: 2, concurrency: 2 };
    await runRaw(server.url, await newStudyId(gt), warm);
    const warmStudy = await gt.createStudy({ name: `bench-sdk-warm-${Date.now()}`, searchSpace: SPACE, sampler: { type: "RANDOM" } });
    await runSdk(gt, warmStudy.name, warm);

    const rows: (string | number)[][] = [];
    for (const w of workloads) {
      const raw: Sample[] = [];
      const sdk: Sample[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        const rawStudy = await newStudyId(gt);
        raw.push(await measure(() => runRaw(server.url, rawStudy, w)));
        const sdkStudy = await gt.createStudy({ name: `bench-sdk-${Date.now()}-${studySeq++}`, sampler: { type: "RANDOM", seed: 1 }, searchSpace: SPACE });
        sdk.push(await measure(() => runSdk(gt, sdkStudy.name, w)));
      }
      const [rawWall, sdkWall] = [median(raw.map((s) => s.wallMs)), median(sdk.map((s) => s.wallMs))];
      const [rawCpu, sdkCpu] = [median(raw.map((s) => s.cpuUs)), median(sdk.map((s) => s.cpuUs))];
      const requests = 2 + w.reports;
      rows.push([
        `${w.name}, server`,
        fmt(rawWall, 2),
        fmt(sdkWall, 2),
        fmt(sdkWall / rawWall, 3),
        fmt(rawCpu, 0),
        fmt(sdkCpu, 0),
        fmt(sdkCpu / rawCpu, 3),
        fmt((sdkCpu - rawCpu) / requests, 1),
      ]);
    }
    // The clients alone: canned answers, no network, many trials.
    const cannedTrials = TRIALS * 10;
    const real = await gt.createStudy({ name: `bench-sdk-canned-${Date.now()}`, sampler: { type: "RANDOM", seed: 1 }, searchSpace: SPACE });
    const studyFields = { id: real.id, name: real.name, directions: real.directions, objectiveMetric: real.objectiveMetric, userAttrs: {}, createdAt: new Date().toISOString(), sampler: real.sampler, pruner: real.pruner, searchSpace: real.searchSpace };
    for (const w of workloads.filter((x) => x.concurrency === 1)) {
      const raw: Sample[] = [];
      const sdk: Sample[] = [];
      const run = { ...w, trials: cannedTrials };
      for (let rep = 0; rep < REPS; rep++) {
        raw.push(await measure(() => runRawCanned(studyFields, run), cannedTrials));
        const cannedGt = new Graphtune({ url: server.url, fetch: cannedFetch(studyFields) });
        sdk.push(await measure(() => runSdkCanned(cannedGt, studyFields, run), cannedTrials));
      }
      const [rawCpu, sdkCpu] = [median(raw.map((s) => s.cpuUs)), median(sdk.map((s) => s.cpuUs))];
      const [rawWall, sdkWall] = [median(raw.map((s) => s.wallMs)), median(sdk.map((s) => s.wallMs))];
      rows.push([
        `${w.name}, canned answers`,
        fmt(rawWall, 3),
        fmt(sdkWall, 3),
        fmt(sdkWall / rawWall, 3),
        fmt(rawCpu, 0),
        fmt(sdkCpu, 0),
        fmt(sdkCpu / rawCpu, 3),
        fmt((sdkCpu - rawCpu) / (2 + w.reports), 1),
      ]);
    }
    printTable(
      ["workload (per trial)", "raw ms", "sdk ms", "wall sdk/raw", "raw CPU us", "sdk CPU us", "CPU sdk/raw", "extra CPU us/request"],
      rows,
    );
    console.log("\nms: median wall time per trial; CPU us: median client CPU per trial (this process only; the server runs apart).");
    console.log("server: against the server process; canned answers: a fetch that answers at once, so only client work is timed.");
  } finally {
    await gt.close();
    // A server that has not exited 15 s after SIGTERM is killed, so the benchmark always ends.
    const kill = setTimeout(() => {
      console.warn(`the server (pid ${server.pid}) did not stop within 15 s of SIGTERM; killing it`);
      process.kill(server.pid, "SIGKILL");
    }, 15_000);
    await server.stop();
    clearTimeout(kill);
    await dbServer.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
