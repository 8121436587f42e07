import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CREATE_STUDY, PRUNE } from "../helpers/operations";
import { startServerProcess, startWorkerProcess, type ChildLogs } from "../helpers/processes";
import { createTestDatabase, startTestServer, type TestServer } from "../helpers/testServer";

// Real `graphtune worker` processes against a real server: searches run, prune and cancel reach
// the running program, a SIGKILLed worker's trial fails and is retried, a server restart resumes.
let server: TestServer;
const children: ChildLogs[] = [];
beforeAll(async () => {
  server = await startTestServer({ leaseSeconds: 2, sweepIntervalMs: 200 });
});
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop("SIGKILL")));
});
afterAll(async () => {
  await server?.close();
});

const EPOCHS = path.resolve(__dirname, "../fixtures/workers/epochs.js");
const START = `mutation($input: StartSearchInput!) { startSearch(input: $input) { id } }`;
const CANCEL = `mutation($id: ID!) { cancelSearch(id: $id) { state } }`;
const SEARCH = `query($id: ID!) { search(id: $id) { state completedTrials failedTrials prunedTrials endReason
  evaluation { state metrics } bestTrial { number values } } }`;
const TRIALS = `query($id: ID!) { study(id: $id) { trials(first: 100) { edges { node {
  id number state owner retryOf failReason values params intermediateValues { step value } } } } } }`;
const EXECUTORS = `{ executors { id host device backend trainers lastSeenAt currentTrial { id } } }`;

let count = 0;
async function study(extra: Record<string, unknown> = {}): Promise<string> {
  const input = { name: `workers-${count++}`, searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }], sampler: { type: "RANDOM", seed: 5 }, ...extra };
  return (await server.ok(CREATE_STUDY, { input })).createStudy.id;
}
const commandTask = (epochs: number, msPerEpoch: number) => ({ trainer: "command", argv: ["node", EPOCHS, "{x}", String(epochs), String(msPerEpoch)] });
async function startSearch(input: Record<string, unknown>): Promise<string> {
  return (await server.ok(START, { input })).startSearch.id;
}
async function worker(url = server.url, flags = ["--trainers", "command"]) {
  const child = await startWorkerProcess(url, flags);
  children.push(child);
  return child;
}
async function trials(studyId: string) {
  return (await server.ok(TRIALS, { id: studyId })).study.trials.edges.map((e: any) => e.node);
}
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("graphtune worker", () => {
  it("runs a search on two workers: every trial once, every epoch reported, listed as executors", async () => {
    const studyId = await study();
    const [a, b] = await Promise.all([worker(), worker()]);
    const listed = (await server.ok(EXECUTORS)).executors.filter((e: any) => [a.executorId, b.executorId].includes(e.id));
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ device: "cpu", backend: "process", trainers: ["command"] });
    expect(Date.parse(listed[0].lastSeenAt)).toBeGreaterThan(Date.now() - 60_000);
    const searchId = await startSearch({ studyId, nTrials: 6, concurrency: 2, task: commandTask(4, 30) });
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED");
    expect(ended.completedTrials).toBe(6);
    const all = await trials(studyId);
    expect(all.map((t: any) => t.number).sort((x: number, y: number) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(all.map((t: any) => t.owner))).toEqual(new Set([a.executorId, b.executorId]));
    for (const t of all) {
      expect(t.state).toBe("COMPLETE");
      expect(t.intermediateValues.map((p: any) => p.step)).toEqual([0, 1, 2, 3]);
      expect(t.values[0]).toBeCloseTo((t.params.x - 0.3) ** 2, 9);
    }
    // Each worker ran one trial at a time: its trials' runs never overlap.
    const started = a.lines.filter((l) => l.msg === "trial started").length + b.lines.filter((l) => l.msg === "trial started").length;
    expect(started).toBe(6);
  });

  it("kills the trial's program when a person prunes it, and tells PRUNED", async () => {
    const studyId = await study();
    const w = await worker();
    const searchId = await startSearch({ studyId, nTrials: 1, task: commandTask(1000, 50) });
    const [running] = await until(() => trials(studyId), (t) => t.length === 1 && t[0].intermediateValues.length >= 2);
    // The program prints its pid in every metric line, so it is stored as the series "pid".
    const pidSeries = await server.ok(`query($id: ID!) { trial(id: $id) { metrics(names: ["pid"]) { points { value } } } }`, { id: running.id });
    const pid: number = pidSeries.trial.metrics[0].points[0].value;
    expect(alive(pid)).toBe(true);
    await server.ok(PRUNE, { trialId: running.id, reason: "looks bad" });
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 10_000);
    expect(ended.prunedTrials).toBe(1);
    await w.waitFor((l) => l.msg === "trial finished" && l.state !== "COMPLETE", 5000);
    await until(() => Promise.resolve(!alive(pid)), (gone) => gone, 5000);
  });

  it("tells PRUNED when its pruner says prune, also when the control stream's PRUNE arrives before the program has stopped", async () => {
    // The objective starts at (x - 0.3)^2 + 1 > 0.5: every trial is pruned at its first report.
    const studyId = await study({ pruner: { type: "THRESHOLD", options: { upper: 0.5 } } });
    const w = await worker();
    // The program takes 400 ms to stop after SIGTERM, so the PRUNE signal comes first.
    const task = { trainer: "command", argv: ["node", EPOCHS, "{x}", "1000", "50", "400"] };
    const searchId = await startSearch({ studyId, nTrials: 3, task });
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 15_000);
    expect(ended).toMatchObject({ completedTrials: 3, prunedTrials: 3, failedTrials: 0 });
    for (const t of await trials(studyId)) {
      expect(t.state).toBe("PRUNED");
      expect(t.owner).toBe(w.executorId);
    }
    expect(w.lines.some((l) => l.msg === "control signal" && l.action === "PRUNE" && l.state === "RUNNING")).toBe(true);
  });

  it("stops at once when its search is cancelled", async () => {
    const studyId = await study();
    const w = await worker();
    const searchId = await startSearch({ studyId, nTrials: 3, task: commandTask(1000, 50) });
    await until(() => trials(studyId), (t) => t.length === 1 && t[0].intermediateValues.length >= 1);
    const cancelledAt = Date.now();
    await server.ok(CANCEL, { id: searchId });
    const stopped = await w.waitFor((l) => l.msg === "trial finished", 5000);
    expect(stopped.state).toBe("STOPPED");
    expect(Date.now() - cancelledAt).toBeLessThan(3000);
    const [t] = await trials(studyId);
    expect(t.state).toBe("FAIL");
    expect(t.failReason).toMatch(/cancelled/);
    const executor = (await server.ok(EXECUTORS)).executors.find((e: any) => e.id === w.executorId);
    expect(executor.currentTrial).toBeNull();
  });

  it("carries on with other searches after the study of its trial is deleted", async () => {
    const doomed = await study();
    const w = await worker();
    await startSearch({ studyId: doomed, nTrials: 2, task: commandTask(1000, 50) });
    await until(() => trials(doomed), (t) => t.length === 1 && t[0].intermediateValues.length >= 1);
    await server.ok(`mutation($id: ID!) { deleteStudy(id: $id) }`, { id: doomed });
    const next = await study();
    const searchId = await startSearch({ studyId: next, nTrials: 2, task: commandTask(2, 20) });
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED");
    expect(ended.completedTrials).toBe(2);
    expect((await trials(next)).every((t: any) => t.owner === w.executorId)).toBe(true);
  });

  it("retries the trial of a SIGKILLed worker on another, keeping the metrics it had reported", async () => {
    const studyId = await study();
    const doomed = await worker();
    const searchId = await startSearch({ studyId, nTrials: 1, maxRetries: 1, task: commandTask(30, 100) });
    const [first] = await until(() => trials(studyId), (t) => t.length === 1 && t[0].intermediateValues.length >= 3);
    await doomed.stop("SIGKILL");
    const reported = (await trials(studyId))[0].intermediateValues.length;
    const rescuer = await worker();
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 30_000);
    expect(ended.completedTrials).toBe(1);
    const [lost, retry] = await trials(studyId).then((t) => t.sort((x: any, y: any) => x.number - y.number));
    expect(lost).toMatchObject({ id: first.id, state: "FAIL", owner: doomed.executorId });
    expect(lost.failReason).toMatch(/lease expired/);
    expect(lost.intermediateValues.length).toBeGreaterThanOrEqual(reported);
    expect(retry).toMatchObject({ state: "COMPLETE", retryOf: first.id, owner: rescuer.executorId, params: first.params });
  });
});

describe("tfjs trainers on a worker", () => {
  it("train on wine, report every epoch, and score the best trial on the test part", async () => {
    const input = { name: `workers-tfjs-${count++}`, directions: ["MAXIMIZE"], sampler: { type: "RANDOM", seed: 2 } };
    const studyId = (await server.ok(CREATE_STUDY, { input })).createStudy.id;
    const w = await worker(server.url, ["--trainers", "tfjs-mlp,tfjs-lr-range"]);
    const listed = (await server.ok(EXECUTORS)).executors.find((e: any) => e.id === w.executorId);
    expect(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]).toContain(listed.backend);
    const searchId = await startSearch({ studyId, nTrials: 2, task: { trainer: "tfjs-mlp", dataset: "wine", epochs: 4, patience: 0 } });
    const ended = await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 60_000);
    expect(ended.completedTrials).toBe(2);
    for (const t of await trials(studyId)) expect(t.intermediateValues.map((p: any) => p.step).length).toBe(4);
    expect(ended.evaluation.state).toBe("DONE");
    // Three classes: chance is about 0.4 on the test part; a trained MLP does far better.
    expect(ended.evaluation.metrics.testAccuracy).toBeGreaterThan(0.6);
  });

  it("run a learning-rate range test as a search of its own", async () => {
    const input = { name: `workers-lr-${count++}`, sampler: { type: "RANDOM", seed: 2 } };
    const studyId = (await server.ok(CREATE_STUDY, { input })).createStudy.id;
    await worker(server.url, ["--trainers", "tfjs-lr-range"]);
    const searchId = await startSearch({ studyId, nTrials: 1, task: { trainer: "tfjs-lr-range", dataset: "wine", steps: 60 } });
    await until(() => server.ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 60_000);
    const { trial } = await server.ok(`query($id: ID!) { trial(id: $id) { state userAttrs metrics(names: ["learningRate"]) { points { value } } } }`, {
      id: (await trials(studyId))[0].id,
    });
    expect(trial.state).toBe("COMPLETE");
    const [low, high] = trial.userAttrs.suggestedRange;
    expect(low).toBeLessThan(trial.userAttrs.suggestedLearningRate);
    expect(high).toBeGreaterThan(trial.userAttrs.suggestedLearningRate);
    const rates = trial.metrics[0].points.map((p: any) => p.value);
    expect(rates[rates.length - 1]).toBeGreaterThan(rates[0] * 100); // swept over decades
  });
});

describe("a server restart mid-search", () => {
  it("resumes: the worker carries on and the search completes", async () => {
    const database = await createTestDatabase();
    let api = await startServerProcess(database.url, { env: { GRAPHTUNE_LEASE_SECONDS: "10" } });
    children.push(api);
    try {
      const ok = async (query: string, variables?: Record<string, unknown>) => {
        const response = await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
        const body = (await response.json()) as { data: any; errors?: unknown[] };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data;
      };
      const input = { name: "restart", searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }] };
      const studyId = (await ok(CREATE_STUDY, { input })).createStudy.id;
      await worker(api.url);
      const searchId = (await ok(START, { input: { studyId, nTrials: 4, task: commandTask(10, 60) } })).startSearch.id;
      await until(() => ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.completedTrials >= 1);
      await api.stop("SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      api = await startServerProcess(database.url, { port: api.port, env: { GRAPHTUNE_LEASE_SECONDS: "10" } });
      children.push(api);
      const ended = await until(() => ok(SEARCH, { id: searchId }).then((d) => d.search), (s) => s.state === "COMPLETED", 40_000);
      expect(ended.completedTrials + ended.failedTrials).toBeGreaterThanOrEqual(4);
      expect(ended.completedTrials).toBeGreaterThanOrEqual(3);
    } finally {
      await api.stop();
      await database.drop();
    }
  });
});
