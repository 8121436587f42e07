import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, Graphtune, floatParam } from "../../client-sdk/src";
import { startWorkerProcess, type ChildLogs } from "../helpers/processes";
import { startTestServer, type TestServer } from "../helpers/testServer";

// The SDK's searches: startSearch, progress as an async iterator, cancel, executors.
let server: TestServer;
let worker: ChildLogs & { executorId: string };
let gt: Graphtune;
beforeAll(async () => {
  server = await startTestServer({ leaseSeconds: 5, sweepIntervalMs: 200 });
  worker = await startWorkerProcess(server.url, ["--trainers", "command"]);
  gt = new Graphtune({ url: server.url });
});
afterAll(async () => {
  await gt?.close();
  await worker?.stop();
  await server?.close();
});

const EPOCHS = path.resolve(__dirname, "../fixtures/workers/epochs.js");
const task = (epochs: number, ms: number) => ({ trainer: "command", argv: ["node", EPOCHS, "{x}", String(epochs), String(ms)] });

describe("searches in the SDK", () => {
  it("starts a search and follows its progress to the end", async () => {
    const study = await gt.createStudy({ name: "sdk-search", searchSpace: [floatParam("x", 0, 1)] });
    const search = await study.startSearch({ nTrials: 3, task: task(3, 20) });
    expect(search.state).toBe("QUEUED");
    expect(search.studyId).toBe(study.id);
    const seen: number[] = [];
    for await (const snapshot of search.progress()) seen.push(snapshot.completedTrials);
    expect(search.state).toBe("COMPLETED");
    expect(seen[seen.length - 1]).toBe(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const ended = await search.refresh();
    expect(ended.bestTrial?.values?.[0]).toBeCloseTo((Number((ended.bestTrial!.params as any).x) - 0.3) ** 2, 9);
    expect((await gt.getSearch(search.id)).state).toBe("COMPLETED");
  });

  it("cancels a running search, and a second cancel is a ConflictError", async () => {
    const study = await gt.createStudy({ name: "sdk-cancel", searchSpace: [floatParam("x", 0, 1)] });
    const search = await study.startSearch({ nTrials: 5, task: task(1000, 50) });
    for await (const snapshot of search.progress()) if (snapshot.runningTrials > 0) break;
    const executors = await gt.executors();
    expect(executors.find((e) => e.id === worker.executorId)?.currentTrial).not.toBeNull();
    expect((await search.cancel()).state).toBe("CANCELLED");
    await expect(search.cancel()).rejects.toBeInstanceOf(ConflictError);
    const ended = await search.wait();
    expect(ended.state).toBe("CANCELLED");
    expect(ended.failedTrials).toBe(1);
  });
});
