/**
 * `npm run bench:subscriptions`: live metric streams over graphql-ws.
 *
 * 1. Two server processes on one PostgreSQL (events cross through LISTEN/NOTIFY): 200 subscribers
 *    split across them (each follows one trial's metricsReported, plus one study-wide subscriber
 *    per server), 20 reporters sending batches of 10 points over HTTP, split across them too.
 *    Latency from the start of each reportMetrics request to each subscriber's receipt of the
 *    batch (p50, p99), and points delivered vs expected, with duplicates and misses counted.
 * 2. The same load on one server process with the in-process bus, in the same run, so the cost of
 *    crossing processes shows.
 * 3. The machine's floor for the same load: the same reports and messages through a bare HTTP +
 *    WebSocket process (support/fanoutFloor.ts: no GraphQL, no database), so what the machine
 *    allows at this rate is measured beside what the service does.
 * 4. The storage and bus floor: two such processes on one database that store each report with
 *    the service layer's statement and send what the PostgreSQL bus delivers (no GraphQL, no
 *    graphql-ws): what the storage and the bus allow at this rate.
 * 5. A server's resident memory with 1,000 idle subscriptions open, minus without.
 *
 * Reporters are paced (open loop) to --rate points/s in total; the achieved rate is printed. Each
 * phase first runs the same load unmeasured for --warmup seconds, so a phase measures servers in
 * their steady state rather than V8 compiling their request paths. The benchmark's own process
 * (clients) shares the machine with the servers and PostgreSQL.
 *
 * Flags: --rate N (points/s in total, default 5000), --seconds N (per phase, default 20),
 * --warmup N (unmeasured seconds at the same rate before each phase, default 15; 0 measures from cold),
 * --subscribers N (default 200), --reporters N (default 20), --idle N (default 1000).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import os from "node:os";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { GraphqlClient } from "./support/graphqlClient";
import { startFanoutFloor } from "./support/fanoutFloor";
import { benchDatabaseServer, postgresCpuMs } from "./support/postgres";
import { startServerProcess, type ServerProcess } from "./support/serverProcess";
import { fmt, median, printTable, quantile } from "./support/stats";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RATE = flag("rate", 5000);
const SECONDS = flag("seconds", 20);
const WARMUP = flag("warmup", 15);
const SUBSCRIBERS = flag("subscribers", 200);
const REPORTERS = flag("reporters", 20);
const IDLE = flag("idle", 1000);
const BATCH = 10;
const FLOOR = "floor: 1 process, bare HTTP + WebSocket (no GraphQL, no database)";
const SERVICE_FLOOR = "floor: 2 processes, service + PostgreSQL bus, bare HTTP + WebSocket (no GraphQL)";

const CREATE = `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }`;
const ASK = `mutation($s: ID!) { askTrial(studyId: $s) { id } }`;
const REPORT = `mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }`;
const METRICS = `subscription($s: ID, $t: ID) { metricsReported(studyId: $s, trialId: $t) { trialId points { step value } } }`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (text: string) => console.error(`  ... ${text}`);

interface Subscriber {
  scope: { trialId?: string; studyId?: string };
  keys: Set<string>;
  received: number;
}

interface PhaseResult {
  name: string;
  sentPoints: number;
  achievedRate: number;
  expected: number;
  delivered: number;
  duplicates: number;
  missing: number;
  latencies: number[];
  roundTrips: number[];
  serverCpuMsPerS: number;
  /** This process's CPU (the clients: subscribers and reporters), ms per second. */
  clientCpuMsPerS: number;
  /** PostgreSQL's CPU (server and backends), ms per second. */
  postgresCpuMsPerS: number;
  /** Busy share of all the machine's cores, 0..1 (servers, PostgreSQL, clients and anything else). */
  machineBusy: number;
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Sends of each batch, by trial and first step: when its reportMetrics request started. */
type SendTimes = Map<string, number>;

interface Batch {
  trialId: string;
  points: { step: number; value: number }[];
}

/** How a phase's clients reach its servers: GraphQL over graphql-ws and HTTP, or the bare floor. */
interface Transport {
  /** A fresh study and one running trial per reporter. */
  setup(): Promise<{ studyId: string; trials: string[] }>;
  /** Subscriber `i` (on server i mod n) follows `scope`. */
  subscribe(i: number, scope: Subscriber["scope"], onBatch: (batch: Batch) => void): void;
  /** Reporter `r` (on server r mod n) reports a batch. */
  report(r: number, studyId: string, batch: Batch): Promise<void>;
  close(): Promise<void>;
}

function graphqlTransport(servers: ServerProcess[]): Transport {
  const http = servers.map((s) => new GraphqlClient(s.url));
  const clients: Client[] = [];
  const stops: Array<() => void> = [];
  return {
    async setup() {
      const studyId = (await http[0].request(CREATE, { input: { name: `subs-${Date.now()}` } })).createStudy.id as string;
      const trials: string[] = [];
      for (let r = 0; r < REPORTERS; r++) trials.push((await http[r % http.length].request(ASK, { s: studyId })).askTrial.id);
      return { studyId, trials };
    },
    subscribe(i, scope, onBatch) {
      const server = servers[i % servers.length];
      const client = createClient({ url: server.url.replace("http", "ws"), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      clients.push(client);
      stops.push(
        client.subscribe<any>(
          { query: METRICS, variables: { s: scope.studyId, t: scope.trialId } },
          {
            next: ({ data }) => onBatch(data.metricsReported),
            error: (e) => console.error("subscription error", e),
            complete: () => undefined,
          },
        ),
      );
    },
    async report(r, _studyId, batch) {
      await http[r % http.length].request(REPORT, { t: batch.trialId, p: batch.points });
    },
    async close() {
      for (const stop of stops) stop();
      await Promise.race([Promise.all(clients.map((c) => c.dispose())), sleep(3000)]);
      for (const h of http) h.close();
    },
  };
}

/** Plain WebSocket clients and HTTP POSTs against floor servers (support/fanoutFloor.ts). */
function floorTransport(servers: ServerProcess[]): Transport {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const sockets: WebSocket[] = [];
  const post = (url: string, body: unknown) =>
    new Promise<string>((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = httpRequest(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(Buffer.concat(chunks).toString()))));
      });
      req.on("error", reject);
      req.end(text);
    });
  return {
    async setup() {
      return JSON.parse(await post(new URL("/setup", servers[0].url).toString(), { reporters: REPORTERS }));
    },
    subscribe(i, scope, onBatch) {
      const url = new URL(servers[i % servers.length].url.replace("http", "ws"));
      url.searchParams.set("scope", scope.trialId ? `trial:${scope.trialId}` : `study:${scope.studyId}`);
      url.searchParams.set("id", randomUUID());
      const socket = new WebSocket(url);
      socket.on("message", (data) => onBatch(JSON.parse(String(data)).payload.data.metricsReported));
      socket.on("error", (e) => console.error("floor socket error", e));
      sockets.push(socket);
    },
    report: async (r, studyId, batch) => {
      await post(servers[r % servers.length].url, { studyId, ...batch });
    },
    async close() {
      for (const s of sockets) s.close();
      agent.destroy();
    },
  };
}

async function runPhase(name: string, servers: ServerProcess[], transport: Transport): Promise<PhaseResult> {
  progress(`${name}: opening ${SUBSCRIBERS} subscriptions`);
  const { studyId, trials } = await transport.setup();

  const subscribers: Subscriber[] = [];
  const sent: SendTimes = new Map();
  const latencies: number[] = [];
  const roundTrips: number[] = [];
  let measuring = false;
  /** Each trial's first measured step, once measuring starts. */
  const measuredFrom = new Map<string, number>();
  const studyWide = Math.min(servers.length, SUBSCRIBERS);
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const scope = i < studyWide ? { studyId } : { trialId: trials[i % trials.length] };
    const sub: Subscriber = { scope, keys: new Set(), received: 0 };
    transport.subscribe(i, scope, (batch) => {
      const now = performance.now();
      // A late batch of the warm-up is neither timed nor counted.
      if (batch.points[0].step < (measuredFrom.get(batch.trialId) ?? 0)) return;
      const started = sent.get(`${batch.trialId}/${batch.points[0].step}`);
      if (measuring && started !== undefined) latencies.push(now - started);
      for (const p of batch.points) {
        sub.received++;
        sub.keys.add(`${batch.trialId}/${p.step}`);
      }
    });
    subscribers.push(sub);
  }

  // Start-up: one batch per trial until every subscriber has heard from its scope, so every
  // subscription is live before the load starts.
  const step = new Map<string, number>(trials.map((t) => [t, 0]));
  const report = async (r: number) => {
    const trialId = trials[r];
    const from = step.get(trialId)!;
    step.set(trialId, from + BATCH);
    const points = Array.from({ length: BATCH }, (_, k) => ({ step: from + k, value: Math.sin(from + k) }));
    const started = performance.now();
    sent.set(`${trialId}/${from}`, started);
    await transport.report(r, studyId, { trialId, points });
    if (measuring) roundTrips.push(performance.now() - started);
  };
  const warmStart = Date.now();
  while (subscribers.some((s) => s.received === 0)) {
    if (Date.now() - warmStart > 30_000) throw new Error("subscriptions did not start within 30 s");
    await Promise.all(trials.map((_, r) => report(r)));
    await sleep(200);
  }
  // Each reporter paced to RATE / REPORTERS points per second, until `end`.
  const intervalMs = (1000 * BATCH * REPORTERS) / RATE;
  const pace = async (seconds: number): Promise<number> => {
    const start = performance.now();
    const end = start + seconds * 1000;
    let points = 0;
    await Promise.all(
      trials.map(async (_, r) => {
        let next = start + (intervalMs * r) / REPORTERS;
        while (next < end) {
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
          await report(r);
          points += BATCH;
          next += intervalMs;
        }
      }),
    );
    return points;
  };
  // Warm-up at the measured rate, not measured: a server process measured from its first seconds
  // spends a large share of its CPU compiling (V8 optimises the request path over about 15 s here).
  if (WARMUP > 0) {
    progress(`${name}: every subscription is live; warming up at the target rate for ${WARMUP} s`);
    await pace(WARMUP);
  }
  await sleep(500);
  for (const s of subscribers) {
    s.keys.clear();
    s.received = 0;
  }
  const firstMeasuredStep = new Map(step);
  for (const [trialId, first] of firstMeasuredStep) measuredFrom.set(trialId, first);
  progress(`${name}: measuring for ${SECONDS} s`);

  // Measured.
  measuring = true;
  const cpuStart = servers.reduce((a, s) => a + s.cpuMs(), 0);
  const clientCpuStart = process.cpuUsage();
  const postgresCpuStart = postgresCpuMs();
  const machineStart = machineTicks();
  const start = performance.now();
  const sentPoints = await pace(SECONDS);
  const elapsed = (performance.now() - start) / 1000;
  progress(`${name}: reporters done after ${fmt(elapsed)} s; waiting for deliveries to drain`);
  const cpuMs = servers.reduce((a, s) => a + s.cpuMs(), 0) - cpuStart;
  const clientCpu = process.cpuUsage(clientCpuStart);
  const postgresCpu = postgresCpuMs() - postgresCpuStart;
  const machineEnd = machineTicks();

  // Let deliveries drain: stop when nothing new arrives for a second (at most 15 s).
  let last = -1;
  for (let waited = 0; waited < 15_000; waited += 1000) {
    const now = subscribers.reduce((a, s) => a + s.received, 0);
    if (now === last) break;
    last = now;
    await sleep(1000);
  }
  measuring = false;

  let expected = 0;
  let delivered = 0;
  let duplicates = 0;
  const sentPerTrial = new Map(trials.map((t) => [t, step.get(t)! - firstMeasuredStep.get(t)!]));
  for (const s of subscribers) {
    const want = s.scope.trialId ? sentPerTrial.get(s.scope.trialId)! : [...sentPerTrial.values()].reduce((a, b) => a + b, 0);
    expected += want;
    delivered += s.keys.size;
    duplicates += s.received - s.keys.size;
  }
  progress(`${name}: closing subscriptions`);
  await transport.close();
  progress(`${name}: closed`);
  return {
    name,
    sentPoints,
    achievedRate: sentPoints / elapsed,
    expected,
    delivered,
    duplicates,
    missing: expected - delivered,
    latencies,
    roundTrips,
    serverCpuMsPerS: cpuMs / elapsed,
    clientCpuMsPerS: (clientCpu.user + clientCpu.system) / 1000 / elapsed,
    postgresCpuMsPerS: postgresCpu / elapsed,
    machineBusy: (machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total),
  };
}

/** Resident memory of a server with `n` idle subscriptions, `perConnection` on each, minus without. */
async function idleMemory(server: ServerProcess, n: number, perConnection: number): Promise<{ before: number; after: number }> {
  const http = new GraphqlClient(server.url);
  progress(`opening ${n} idle subscriptions`);
  const studyId = (await http.request(CREATE, { input: { name: `idle-${Date.now()}` } })).createStudy.id as string;
  const trialId = (await http.request(ASK, { s: studyId })).askTrial.id as string;
  await sleep(2000);
  const before = server.rssMb();
  const clients: Client[] = [];
  let acknowledged = 0;
  const connections = Math.ceil(n / perConnection);
  for (let c = 0; c < connections; c++) {
    const client = createClient({
      url: server.url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { connected: () => acknowledged++ },
    });
    for (let k = 0; k < perConnection && c * perConnection + k < n; k++) {
      const variables = k % 2 ? { t: trialId } : { s: studyId };
      client.subscribe({ query: METRICS, variables }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    }
    clients.push(client);
    if (c % 100 === 99) await sleep(50);
  }
  while (acknowledged < connections) await sleep(50);
  await sleep(3000);
  const after = server.rssMb();
  await Promise.race([Promise.all(clients.map((c) => c.dispose())), sleep(3000)]);
  http.close();
  return { before, after };
}

async function main() {
  console.log(
    `graphtune bench:subscriptions: ${SUBSCRIBERS} subscribers, ${REPORTERS} reporters x batches of ${BATCH}, ` +
      `target ${RATE} points/s for ${SECONDS} s per phase after ${WARMUP} s of warm-up`,
  );
  const dbServer = await benchDatabaseServer();
  const results: PhaseResult[] = [];
  try {
    {
      const url = await dbServer.createDatabase("graphtune_bench_subs_pg");
      process.env.GRAPHTUNE_EVENT_BUS = "postgres";
      const servers = [await startServerProcess(url), await startServerProcess(url)];
      try {
        results.push(await runPhase("2 processes, PostgreSQL LISTEN/NOTIFY bus", servers, graphqlTransport(servers)));
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
    {
      const url = await dbServer.createDatabase("graphtune_bench_subs_mem");
      process.env.GRAPHTUNE_EVENT_BUS = "memory";
      const server = await startServerProcess(url);
      try {
        results.push(await runPhase("1 process, in-process bus", [server], graphqlTransport([server])));
      } finally {
        await server.stop();
      }
    }
    {
      const floor = await startFanoutFloor();
      try {
        results.push(await runPhase(FLOOR, [floor], floorTransport([floor])));
      } finally {
        await floor.stop();
      }
    }
    {
      const url = await dbServer.createDatabase("graphtune_bench_subs_floor");
      const floors = [await startFanoutFloor(url), await startFanoutFloor(url)];
      try {
        results.push(await runPhase(SERVICE_FLOOR, floors, floorTransport(floors)));
      } finally {
        await Promise.all(floors.map((f) => f.stop()));
      }
    }
    const memory: { perConnection: number; before: number; after: number }[] = [];
    for (const perConnection of [1, 10]) {
      const url = await dbServer.createDatabase("graphtune_bench_subs_idle");
      process.env.GRAPHTUNE_EVENT_BUS = "postgres";
      const server = await startServerProcess(url);
      try {
        memory.push({ perConnection, ...(await idleMemory(server, IDLE, perConnection)) });
      } finally {
        await server.stop();
      }
    }

    console.log("");
    printTable(
      ["setup", "points/s sent (target)", "report→receipt p50 ms", "p99 ms", "max ms", "report round trip p50/p99 ms", "delivered / expected", "duplicates", "missing", "server CPU", "PostgreSQL CPU", "client CPU", `machine busy (${os.cpus().length} cores)`],
      results.map((r) => [
        r.name,
        `${fmt(r.achievedRate, 0)} (${RATE})`,
        fmt(median(r.latencies), 1),
        fmt(quantile(r.latencies, 0.99), 1),
        fmt(r.latencies.reduce((a, b) => Math.max(a, b), -Infinity), 1),
        `${fmt(median(r.roundTrips), 1)} / ${fmt(quantile(r.roundTrips, 0.99), 1)}`,
        `${r.delivered} / ${r.expected}`,
        String(r.duplicates),
        String(r.missing),
        `${fmt(r.serverCpuMsPerS / 10, 0)}% of a core`,
        `${fmt(r.postgresCpuMsPerS / 10, 0)}% of a core`,
        `${fmt(r.clientCpuMsPerS / 10, 0)}% of a core`,
        `${fmt(r.machineBusy * 100, 0)}%`,
      ]),
    );
    const [pgRun, memRun, floorRun, serviceFloorRun] = results;
    console.log(
      `crossing processes: p50 ${fmt(median(pgRun.latencies) / median(memRun.latencies), 2)}x, ` +
        `p99 ${fmt(quantile(pgRun.latencies, 0.99) / quantile(memRun.latencies, 0.99), 2)}x the single process's ` +
        `(goal: p99 < 50 ms at 5000 points/s, every point exactly once)`,
    );
    console.log(
      `the machine's floor for this load (bare HTTP + WebSocket, no GraphQL, no database): p99 ${fmt(quantile(floorRun.latencies, 0.99), 1)} ms ` +
        `with the machine ${fmt(floorRun.machineBusy * 100, 0)}% busy; the 2-process setup's p99 is ` +
        `${fmt(quantile(pgRun.latencies, 0.99) / quantile(floorRun.latencies, 0.99), 2)}x it`,
    );
    console.log(
      `the storage and bus floor (the service layer's statement and the LISTEN/NOTIFY bus in 2 processes, no GraphQL): ` +
        `p99 ${fmt(quantile(serviceFloorRun.latencies, 0.99), 1)} ms with the machine ${fmt(serviceFloorRun.machineBusy * 100, 0)}% busy; ` +
        `the 2-process setup's p99 is ${fmt(quantile(pgRun.latencies, 0.99) / quantile(serviceFloorRun.latencies, 0.99), 2)}x it`,
    );
    console.log("");
    printTable(
      [`server resident memory, ${IDLE} idle subscriptions`, "without (MB)", "with (MB)", "difference (MB)", "per subscription", "goal"],
      memory.map((m) => [
        m.perConnection === 1 ? "one connection each" : `${m.perConnection} per connection`,
        fmt(m.before),
        fmt(m.after),
        fmt(m.after - m.before),
        `${fmt(((m.after - m.before) * 1024) / IDLE)} KB`,
        "< 50 MB",
      ]),
    );
  } finally {
    await dbServer.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
