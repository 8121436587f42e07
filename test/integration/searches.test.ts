import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_STUDY, REPORT, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

// The server side of searches through the public API, with executors played by plain GraphQL
// calls; test/integration/workers.test.ts runs real worker processes.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ leaseSeconds: 1 });
});
afterAll(async () => {
  await server?.close();
});

const START = `mutation($input: StartSearchInput!) { startSearch(input: $input) {
  id state nTrials concurrency maxRetries task completedTrials createdAt study { id searchSpace { name } } } }`;
const CANCEL = `mutation($id: ID!) { cancelSearch(id: $id) { id state endReason } }`;
const SEARCH = `query($id: ID!) { search(id: $id) {
  id state endReason completedTrials runningTrials failedTrials prunedTrials
  evaluation { state metrics } evaluatedTrial { id } bestTrial { id values } } }`;
const REGISTER = `mutation($input: RegisterExecutorInput!) { registerExecutor(input: $input) { id host device backend trainers } }`;
const CLAIM = `mutation($executorId: ID!, $searchId: ID) { claimTrial(executorId: $executorId, searchId: $searchId) {
  kind leaseSeconds heartbeatSeconds search { id state task } trial { id number state params owner searchId retryOf } } }`;
const HEARTBEAT = `mutation($executorId: ID!, $trialId: ID) { executorHeartbeat(executorId: $executorId, trialId: $trialId) { stop reason trialState } }`;
const FINISH_EVALUATION = `mutation($executorId: ID!, $searchId: ID!, $metrics: JSON) {
  finishEvaluation(executorId: $executorId, searchId: $searchId, metrics: $metrics) { id state } }`;
const TRIAL = `query($id: ID!) { trial(id: $id) { id state failReason values } }`;

const SPACE = [{ name: "x", type: "FLOAT", low: -1, high: 1 }];
const COMMAND_TASK = { trainer: "command", argv: ["node", "train.js", "{x}"] };

let count = 0;
async function newStudy(searchSpace: unknown[] | null = SPACE): Promise<string> {
  const input = { name: `search-${count++}`, searchSpace, sampler: { type: "RANDOM", seed: 3 } };
  return (await server.ok(CREATE_STUDY, { input })).createStudy.id;
}
async function start(input: Record<string, unknown>) {
  return (await server.ok(START, { input })).startSearch;
}
async function register(trainers: string[] = []): Promise<string> {
  const input = { host: "test-host", device: "cpu", backend: "process", trainers };
  return (await server.ok(REGISTER, { input })).registerExecutor.id;
}
const claim = async (executorId: string, searchId?: string) => (await server.ok(CLAIM, { executorId, searchId })).claimTrial;
const search = async (id: string) => (await server.ok(SEARCH, { id })).search;
const tell = (trialId: string, state: string, values?: number[]) => server.ok(TELL, { trialId, state, values });
async function errorOf(query: string, variables: Record<string, unknown>) {
  const body = await server.gql(query, variables);
  expect(body.errors, JSON.stringify(body.data)).toBeDefined();
  return body.errors![0];
}
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("startSearch", () => {
  it("stores the task with its defaults filled in, QUEUED until an executor claims a trial", async () => {
    const studyId = await newStudy();
    const started = await start({ studyId, nTrials: 3, concurrency: 2, task: COMMAND_TASK });
    expect(started.state).toBe("QUEUED");
    expect(started.concurrency).toBe(2);
    expect(started.maxRetries).toBe(0);
    expect(started.task.trainer).toBe("command");
    expect(started.task.killGraceSeconds).toBeGreaterThan(0);
    expect(started.completedTrials).toBe(0);
    await server.ok(CANCEL, { id: started.id });
  });

  it("gives an empty study the trainer's default search space", async () => {
    const studyId = await newStudy(null);
    const started = await start({ studyId, nTrials: 1, task: { trainer: "tfjs-mlp", dataset: "wine" } });
    const names = started.study.searchSpace.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(["learningRate", "batchSize", "layers", "units", "dropout", "optimizer"]));
    await server.ok(CANCEL, { id: started.id });
  });

  it("refuses bad input with BAD_USER_INPUT naming the field, and writes nothing", async () => {
    const studyId = await newStudy();
    const cases: [Record<string, unknown>, string][] = [
      [{ studyId, task: { trainer: "nope" } }, "input.task.trainer"],
      [{ studyId, task: [1] }, "input.task"],
      [{ studyId, task: { trainer: "command" } }, "input.task.argv"],
      [{ studyId, nTrials: 0, task: COMMAND_TASK }, "input.nTrials"],
      [{ studyId, concurrency: -1, task: COMMAND_TASK }, "input.concurrency"],
      [{ studyId, timeoutSeconds: 0, task: COMMAND_TASK }, "input.timeoutSeconds"],
      [{ studyId, task: { trainer: "tfjs-mlp", dataset: "imagenet" } }, "input.task.dataset"],
    ];
    for (const [input, field] of cases) {
      const error = await errorOf(START, { input });
      expect(error.extensions?.code, JSON.stringify(input)).toBe("BAD_USER_INPUT");
      expect(error.extensions?.field, error.message).toBe(field);
    }
    expect((await errorOf(START, { input: { studyId: "999999", task: COMMAND_TASK } })).extensions?.code).toBe("NOT_FOUND");
    const [{ n }] = await server.db.query<{ n: string }>(`SELECT count(*) AS n FROM searches WHERE study_id = $1`, [studyId]);
    expect(Number(n)).toBe(0);
  });
});

describe("claimTrial", () => {
  it("keeps to the search's concurrency and budget, then completes it", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, nTrials: 3, concurrency: 2, task: COMMAND_TASK });
    const executor = await register();
    const first = await claim(executor, s.id);
    expect(first.kind).toBe("TRIAL");
    expect(first.search.state).toBe("RUNNING");
    expect(first.trial).toMatchObject({ state: "RUNNING", owner: executor, searchId: s.id });
    const second = await claim(executor, s.id);
    expect(await claim(executor, s.id)).toBeNull(); // concurrency 2
    await tell(first.trial.id, "COMPLETE", [0.5]);
    const third = await claim(executor, s.id);
    expect(third.trial.number).toBe(2);
    await tell(second.trial.id, "COMPLETE", [0.2]);
    expect(await claim(executor, s.id)).toBeNull(); // budget of 3 used
    await tell(third.trial.id, "COMPLETE", [0.9]);
    const ended = await until(() => search(s.id), (x) => x.state === "COMPLETED");
    expect(ended).toMatchObject({ state: "COMPLETED", completedTrials: 3, runningTrials: 0 });
    expect(ended.endReason).toMatch(/3 trials finished/);
    expect(ended.bestTrial.values).toEqual([0.2]);
    const page = await server.ok(`query($id: ID!) { search(id: $id) {
      first: trials(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { number searchId } } } } }`, { id: s.id });
    expect(page.search.first.totalCount).toBe(3);
    expect(page.search.first.edges.map((e: any) => e.node.number)).toEqual([0, 1]);
    const rest = await server.ok(`query($id: ID!, $after: String) { search(id: $id) { trials(after: $after) { pageInfo { hasNextPage } edges { node { number } } } } }`, {
      id: s.id,
      after: page.search.first.pageInfo.endCursor,
    });
    expect(rest.search.trials.edges.map((e: any) => e.node.number)).toEqual([2]);
    expect(rest.search.trials.pageInfo.hasNextPage).toBe(false);
  });

  it("never gives one trial to two of 12 concurrent claimers, nor more than the concurrency", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, nTrials: 100, concurrency: 5, task: COMMAND_TASK });
    const executors = await Promise.all(Array.from({ length: 12 }, () => register()));
    const claims = (await Promise.all(executors.map((e) => claim(e, s.id)))).filter(Boolean);
    expect(claims.length).toBe(5);
    expect(new Set(claims.map((c) => c.trial.id)).size).toBe(5);
    expect(claims.map((c) => c.trial.number).sort()).toEqual([0, 1, 2, 3, 4]);
    await server.ok(CANCEL, { id: s.id });
  });

  it("hands a search only to executors that run its trainer", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, nTrials: 1, task: COMMAND_TASK });
    expect(await claim(await register(["tfjs-mlp"]), s.id)).toBeNull();
    expect((await claim(await register(["command"]), s.id)).trial).toBeTruthy();
    await server.ok(CANCEL, { id: s.id });
  });

  it("needs a registered executor", async () => {
    expect((await errorOf(CLAIM, { executorId: "987654" })).extensions?.code).toBe("NOT_FOUND");
  });
});

describe("timeoutSeconds", () => {
  it("starts no trial after the timeout, lets the running one finish, then completes", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, timeoutSeconds: 1, concurrency: 2, task: COMMAND_TASK });
    const executor = await register();
    const running = await claim(executor, s.id);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await claim(executor, s.id)).toBeNull();
    await server.services.searches.settle(s.id);
    expect((await search(s.id)).state).toBe("RUNNING"); // its trial still runs
    await tell(running.trial.id, "COMPLETE", [1]);
    const ended = await until(() => search(s.id), (x) => x.state === "COMPLETED");
    expect(ended.endReason).toMatch(/timeout of 1 s/);
    expect(ended.completedTrials).toBe(1);
  });
});

describe("cancelSearch", () => {
  it("fails the running trials, stops their heartbeats and refuses a second cancel", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, nTrials: 10, concurrency: 2, task: COMMAND_TASK });
    const executor = await register();
    const running = await claim(executor, s.id);
    const cancelled = (await server.ok(CANCEL, { id: s.id })).cancelSearch;
    expect(cancelled).toMatchObject({ state: "CANCELLED", endReason: "cancelled by request" });
    const trial = (await server.ok(TRIAL, { id: running.trial.id })).trial;
    expect(trial.state).toBe("FAIL");
    expect(trial.failReason).toMatch(/cancelled/);
    const beat = (await server.ok(HEARTBEAT, { executorId: executor, trialId: running.trial.id })).executorHeartbeat;
    expect(beat).toMatchObject({ stop: true, trialState: "FAIL" });
    expect(await claim(executor, s.id)).toBeNull();
    expect((await errorOf(CANCEL, { id: s.id })).extensions?.code).toBe("CONFLICT");
    const report = await server.gql(REPORT, { trialId: running.trial.id, points: [{ step: 1, value: 1 }] });
    expect(report.errors?.[0].extensions?.code).toBe("CONFLICT");
  });
});

describe("leases", () => {
  it("fail a trial whose heartbeat stops, retry it with the same parameters, and keep its metrics", async () => {
    const studyId = await newStudy();
    const s = await start({ studyId, nTrials: 1, maxRetries: 1, task: COMMAND_TASK });
    const executor = await register();
    const lost = await claim(executor, s.id);
    await server.ok(REPORT, { trialId: lost.trial.id, points: [{ step: 0, value: 3 }, { step: 1, value: 2 }] });
    // A live heartbeat keeps it: 1.5 s of beats is past the 1 s lease.
    for (let i = 0; i < 6; i++) {
      expect((await server.ok(HEARTBEAT, { executorId: executor, trialId: lost.trial.id })).executorHeartbeat.stop).toBe(false);
      await new Promise((r) => setTimeout(r, 250));
      await server.services.executors.expireLeases();
    }
    await new Promise((r) => setTimeout(r, 1300));
    const [expired] = await server.services.executors.expireLeases();
    expect(expired.id).toBe(lost.trial.id);
    expect(expired.failReason).toMatch(/lease expired/);
    const retry = await until(() => claim(executor, s.id), (c) => c !== null);
    expect(retry.trial.retryOf).toBe(lost.trial.id);
    expect(retry.trial.params).toEqual(lost.trial.params);
    const kept = await server.db.query(
      `SELECT p.step FROM metric_series m CROSS JOIN LATERAL series_points(m.id) p WHERE m.trial_id = $1 ORDER BY p.step`,
      [lost.trial.id],
    );
    expect(kept.map((r: any) => r.step)).toEqual([0, 1]);
    await tell(retry.trial.id, "FAIL");
    // maxRetries 1: the retry's failure ends the search instead of running it a third time.
    const ended = await until(() => search(s.id), (x) => x.state === "COMPLETED");
    expect(ended).toMatchObject({ state: "COMPLETED", failedTrials: 2 });
  });
});

describe("the best trial's test evaluation", () => {
  it("is claimed once the budget is spent, and the search completes with its metrics", async () => {
    const studyId = await newStudy(null);
    const s = await start({ studyId, nTrials: 2, concurrency: 2, task: { trainer: "tfjs-mlp", dataset: "wine", epochs: 2 } });
    const executor = await register(["tfjs-mlp"]);
    const a = await claim(executor, s.id);
    const b = await claim(executor, s.id);
    await tell(a.trial.id, "COMPLETE", [0.4]);
    await tell(b.trial.id, "COMPLETE", [0.1]);
    const evaluation = await until(() => claim(executor, s.id), (c) => c !== null);
    expect(evaluation.kind).toBe("EVALUATION");
    expect(evaluation.trial.id).toBe(b.trial.id); // minimize: 0.1 is best
    expect((await search(s.id)).state).toBe("RUNNING");
    const done = (await server.ok(FINISH_EVALUATION, { executorId: executor, searchId: s.id, metrics: { testLoss: 0.3, testAccuracy: 0.9 } }))
      .finishEvaluation;
    expect(done.state).toBe("COMPLETED");
    const ended = await search(s.id);
    expect(ended.evaluation).toEqual({ state: "DONE", metrics: { testLoss: 0.3, testAccuracy: 0.9 } });
    expect(ended.evaluatedTrial.id).toBe(b.trial.id);
  });
});
