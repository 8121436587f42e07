/**
 * `npm run bench:api`: the GraphQL service under a training-script workload and a dashboard
 * workload, against a server process started as `npm start` starts it.
 *
 * 1. Throughput over HTTP, 4 concurrent clients (--clients), random sampler: ask + 10
 *    reportMetrics + tell per trial, and ask + tell alone. Peer: Optuna 3.1's RDBStorage on the
 *    same PostgreSQL (when /usr/bin/python3 imports optuna), same shape, printed side by side as a
 *    ratio. Two floors take turns with it in each repetition: the same service layer (same
 *    statements, same event bus) behind a bare HTTP server with no GraphQL
 *    (support/serviceHttpFloor.ts), and called in this process with no HTTP either
 *    (support/trialApis.ts). They show what the storage and the machine allow an API in front of
 *    them, and what HTTP and GraphQL each cost (--no-floor skips them).
 * 2. A study of 10,000 trials x 100 points (loaded through the API), then the latency of a
 *    dashboard's study query and of one trial's metrics(maxPoints: 500).
 * 3. Storage: PostgreSQL bytes per metric point; the server's resident memory.
 *
 * Flags: --trials N (throughput trials per repetition, default 2000), --reps N (default 3),
 * --big-trials N (default 10000), --peer-trials N (default 200), --no-peer, --no-floor, --clients N
 * (default 4, the issue's setting; more show how asks of one study scale with the number of workers).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { GraphqlClient } from "./support/graphqlClient";
import { graphqlTrialApi, inProcessTrialApi, type TrialApi } from "./support/trialApis";
import { startServiceHttpFloor } from "./support/serviceHttpFloor";
import { benchDatabaseServer, postgresCpuMs } from "./support/postgres";
import { startServerProcess } from "./support/serverProcess";
import { fmt, median, printTable, quantile } from "./support/stats";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TRIALS = flag("trials", 2000);
const REPS = flag("reps", 3);
const BIG_TRIALS = flag("big-trials", 10_000);
const PEER_TRIALS = flag("peer-trials", 200);
const CLIENTS = flag("clients", 4);
const REPORTS = 10;

const HTTP = "GraphQL over HTTP";
const BARE_HTTP = "floor: service, bare HTTP";
const IN_PROCESS = "floor: service in-process";
const SPACE = [
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
  { name: "layers", type: "INT", low: 1, high: 6 },
];

let studySeq = 0;
function createStudy(api: TrialApi): Promise<string> {
  return api.createStudy({ name: `bench-${Date.now()}-${studySeq++}`, searchSpace: SPACE, sampler: { type: "RANDOM", seed: 1 } });
}

/** Where a throughput run goes, and whose CPU serves it (ms so far). */
interface Setup {
  name: string;
  api: TrialApi;
  cpuMs: () => number;
}

/** Serving CPU and PostgreSQL CPU per request, by setup and workload, to see cost apart from the machine's other load. */
const cpuPerRequest = new Map<string, number[]>();
const pgCpuPerRequest = new Map<string, number[]>();
const record = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);

/** Runs `n` trials with `clients` concurrent workers; returns trials per second. */
async function throughput(setup: Setup, n: number, reports: number): Promise<number> {
  const { api } = setup;
  const studyId = await createStudy(api);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const trial = await api.ask(studyId);
      for (let r = 0; r < reports; r++) await api.report(trial.id, [{ step: r, value: 1 / (r + 1) }]);
      await api.tell(trial.id, [trial.lr]);
    }
  };
  const start = performance.now();
  const cpuStart = setup.cpuMs();
  const pgCpuStart = postgresCpuMs();
  await Promise.all(Array.from({ length: CLIENTS }, worker));
  const key = `${setup.name}|${reports ? `ask + ${reports} reports + tell` : "ask + tell"}`;
  const requests = n * (reports + 2);
  record(cpuPerRequest, key, (setup.cpuMs() - cpuStart) / requests);
  record(pgCpuPerRequest, key, (postgresCpuMs() - pgCpuStart) / requests);
  return n / ((performance.now() - start) / 1000);
}

const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** "ask + tell: 0.99 ms, ..." for one setup's entries of `map`. */
const perRequest = (map: Map<string, number[]>, setup: string) =>
  [...map]
    .filter(([k]) => k.startsWith(`${setup}|`))
    .map(([k, v]) => `${k.slice(setup.length + 1)}: ${fmt(median(v), 3)} ms`)
    .join(", ");

function optunaPeer(url: string, reports: number): number | null {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import optuna, psycopg2"], { stdio: "ignore" });
  } catch {
    return null;
  }
  const u = new URL(url);
  const sqlalchemyUrl = `postgresql+psycopg2://${u.username}:${u.password}@${u.hostname}:${u.port}${u.pathname}${u.search}`;
  const out = execFileSync("/usr/bin/python3", [path.resolve(__dirname, "../../bench/optuna_api.py"), sqlalchemyUrl, String(PEER_TRIALS), String(CLIENTS), String(reports)], {
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1)!).trials_per_s;
}

/** Sets the server-wide default, which both peers' new and pooled connections pick up. */
async function setSynchronousCommit(databaseUrl: string, value: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`ALTER SYSTEM SET synchronous_commit = '${value}'`);
  await c.query("SELECT pg_reload_conf()");
  await c.end();
}

async function timeQuery(client: GraphqlClient, query: string, variables: Record<string, unknown>, runs = 30): Promise<number[]> {
  await client.request(query, variables); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await client.request(query, variables);
    times.push(performance.now() - start);
  }
  return times;
}

async function main() {
  const dbServer = await benchDatabaseServer();
  const databaseUrl = await dbServer.createDatabase("graphtune_bench");
  const server = await startServerProcess(databaseUrl);
  const client = new GraphqlClient(server.url);
  const http: Setup = { name: HTTP, api: graphqlTrialApi(client), cpuMs: () => server.cpuMs() };
  const floors = args.includes("--no-floor") ? null : { bareHttp: await startServiceHttpFloor(databaseUrl), inProcess: await inProcessTrialApi(databaseUrl) };
  let floorsOpen = floors !== null;
  /** Once, after the throughput part or on the way out after a failure. */
  const closeFloors = async () => {
    if (!floors || !floorsOpen) return;
    floorsOpen = false;
    await floors.bareHttp.close();
    await floors.inProcess.close();
  };
  const setups: Setup[] = [http];
  if (floors) {
    setups.push({ name: BARE_HTTP, api: floors.bareHttp.api, cpuMs: () => floors.bareHttp.process.cpuMs() });
    setups.push({ name: IN_PROCESS, api: floors.inProcess, cpuMs: ownCpuMs });
  }
  try {
    console.log(`graphtune bench:api: ${CLIENTS} concurrent clients, random sampler, ${TRIALS} trials x ${REPS} repetitions`);
    for (const setup of setups) await throughput(setup, 200, REPORTS); // warm-up: JIT, pool, plans

    // PostgreSQL's default makes every commit wait for a disk flush (milliseconds here), which
    // bounds any tracker that commits per request; both settings are measured, for both peers.
    const rows: string[][] = [];
    for (const syncCommit of ["on", "off"]) {
      await setSynchronousCommit(databaseUrl, syncCommit);
      const withReports = new Map(setups.map((s) => [s.name, [] as number[]]));
      const askTell = new Map(setups.map((s) => [s.name, [] as number[]]));
      // The setups take turns within each repetition, so a slower spell of the machine hits all of them.
      for (let r = 0; r < REPS; r++) {
        for (const setup of setups) {
          withReports.get(setup.name)!.push(await throughput(setup, TRIALS, REPORTS));
          askTell.get(setup.name)!.push(await throughput(setup, TRIALS, 0));
        }
      }
      let peerReports: number | null = null;
      let peerAskTell: number | null = null;
      if (!args.includes("--no-peer")) {
        const peerUrl = await dbServer.createDatabase("optuna_bench");
        peerAskTell = optunaPeer(peerUrl, 0);
        peerReports = optunaPeer(peerUrl, REPORTS);
        if (peerAskTell == null) console.log("(Optuna not importable by /usr/bin/python3: peer skipped; install python3-optuna python3-psycopg2)");
      }
      const row = (name: string, setup: string, ours: number[], peer: number | null, goal: string) => [
        name,
        setup,
        `synchronous_commit=${syncCommit}`,
        fmt(median(ours)),
        ours.map((x) => fmt(x, 0)).join(" "),
        peer == null ? "n/a" : fmt(peer),
        peer ? `${fmt(median(ours) / peer)}x` : "-",
        setup === HTTP ? goal : "",
      ];
      for (const setup of setups) {
        rows.push(row("ask + tell", setup.name, askTell.get(setup.name)!, peerAskTell, ">= 20x (Optuna measured 31/s)"));
        rows.push(row("ask + 10 reports + tell", setup.name, withReports.get(setup.name)!, peerReports, ">= 20x (Optuna measured 11/s)"));
      }
    }
    await setSynchronousCommit(databaseUrl, "on");
    console.log("");
    printTable(["workload", "API", "PostgreSQL", "graphtune trials/s (median)", "runs", "Optuna 3.1 RDB trials/s", "ratio", "goal"], rows);
    for (const setup of setups) {
      const whose = setup.name === IN_PROCESS ? "this process's" : "server";
      console.log(`${setup.name}: ${whose} CPU per request (median): ${perRequest(cpuPerRequest, setup.name)}`);
      console.log(`${setup.name}: PostgreSQL CPU per request (median): ${perRequest(pgCpuPerRequest, setup.name)}`);
    }
    await closeFloors();

    // A dashboard-sized study: 10,000 trials with 100 points each, reported through the API.
    console.log(`\nloading a study of ${BIG_TRIALS} trials x 100 points through the API...`);
    const loadStart = performance.now();
    const bigStudy = await createStudy(http.api);
    let made = 0;
    let someTrial = "";
    const loader = async () => {
      while (made < BIG_TRIALS) {
        made++;
        const t = await http.api.ask(bigStudy);
        someTrial = t.id;
        await http.api.report(t.id, Array.from({ length: 100 }, (_, step) => ({ step, value: t.lr + 1 / (step + 1) })));
        await http.api.tell(t.id, [t.lr]);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, loader));
    const loadSeconds = (performance.now() - loadStart) / 1000;
    console.log(`loaded in ${fmt(loadSeconds)} s (${fmt((BIG_TRIALS * 100) / loadSeconds, 0)} points/s in batches of 100)`);

    const studyQuery = `query($id: ID) { study(id: $id) { bestTrial { number values params } trialCount
      trials(first: 100) { totalCount edges { node { id number state params values } } } } }`;
    const metricsQuery = `query($id: ID!) { trial(id: $id) { metrics(maxPoints: 500) { name points { step value time } } } }`;
    const studyTimes = await timeQuery(client, studyQuery, { id: bigStudy });
    const metricsTimes = await timeQuery(client, metricsQuery, { id: someTrial });
    console.log("");
    printTable(
      ["query (10,000-trial study)", "median ms", "p95 ms", "goal"],
      [
        ["study { bestTrial trialCount trials(first:100) }", fmt(median(studyTimes), 2), fmt(quantile(studyTimes, 0.95), 2), "< 50 ms"],
        ["trial { metrics(maxPoints: 500) }", fmt(median(metricsTimes), 2), fmt(quantile(metricsTimes, 0.95), 2), "< 50 ms"],
      ],
    );

    const pgClient = new pg.Client({ connectionString: databaseUrl });
    await pgClient.connect();
    await pgClient.query("VACUUM ANALYZE metric_points, metric_archive");
    // Running trials' points are rows of metric_points; finished trials' are arrays in metric_archive
    // (pg_table_size includes the TOAST table, where long arrays go).
    const [sizes] = (
      await pgClient.query(`SELECT (SELECT count(*) FROM metric_points) AS hot_points,
        (SELECT coalesce(sum(cardinality(steps)), 0) FROM metric_archive) AS archived_points,
        pg_table_size('metric_points') + pg_indexes_size('metric_points') AS hot_bytes,
        pg_table_size('metric_archive') AS archive_table_bytes, pg_indexes_size('metric_archive') AS archive_index_bytes,
        pg_total_relation_size('metric_series') AS series_bytes`)
    ).rows;
    await pgClient.end();
    const n = Number(sizes.hot_points) + Number(sizes.archived_points);
    const pointBytes = Number(sizes.hot_bytes) + Number(sizes.archive_table_bytes) + Number(sizes.archive_index_bytes);
    const perPoint = (bytes: number) => fmt(bytes / n);
    console.log("");
    printTable(
      ["storage", "value", "goal"],
      [
        ["metric points stored (running trials' rows / finished trials' arrays)", `${n} (${sizes.hot_points} / ${sizes.archived_points})`, ""],
        ["bytes per point (both tables with TOAST and indexes)", perPoint(pointBytes), "<= 100"],
        [
          "  of which rows / arrays / archive index",
          `${perPoint(Number(sizes.hot_bytes))} / ${perPoint(Number(sizes.archive_table_bytes))} / ${perPoint(Number(sizes.archive_index_bytes))}`,
          "",
        ],
        ["bytes per point including the series table", perPoint(pointBytes + Number(sizes.series_bytes)), ""],
        ["server resident memory after loading and querying", `${fmt(server.rssMb())} MB`, "< 300 MB"],
      ],
    );
  } finally {
    await closeFloors();
    client.close();
    await server.stop();
    await dbServer.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
