import { describe, expect, it } from "vitest";
import { BoundedQueue } from "../../server/src/events/boundedQueue";
import { eventBusKind } from "../../server/src/events/busConfig";
import { EventBusKind } from "../../server/src/events/eventBus";
import { decodePayload, encodeFrame, MAX_NOTIFY_BYTES, packFrames } from "../../server/src/events/eventCodec";
import { EventHub, topics } from "../../server/src/events/eventHub";
import type { BusMessage, DomainEvent, MetricsReportedEvent } from "../../server/src/events/events";
import { MemoryEventBus } from "../../server/src/events/memoryEventBus";
import { compareCursors, decodeMetricCursor, encodeMetricCursor } from "../../server/src/events/metricCursor";
import { SubscriberTooSlowError } from "../../server/src/events/subscriberTooSlowError";
import { trialUpdatedStream } from "../../server/src/events/trialUpdatedStream";
import type { TrialRecord } from "../../server/src/studies/records";

function metrics(trialId: string, points: number, name = "loss"): MetricsReportedEvent {
  return {
    type: "metricsReported",
    studyId: "7",
    trialId,
    reportedUs: "1767225600123456",
    series: [{ name, steps: Array.from({ length: points }, (_, i) => i), values: Array.from({ length: points }, (_, i) => Math.PI * i) }],
  };
}

function trial(params: Record<string, unknown> = { lr: 0.01 }): TrialRecord {
  return {
    id: "12",
    studyId: "7",
    number: 3,
    state: "COMPLETE",
    params: params as TrialRecord["params"],
    distributions: {},
    values: [0.25],
    userAttrs: {},
    pruneReason: null,
    owner: null,
    createdAt: new Date("2026-01-01T00:00:00.000Z"),
    startedAt: new Date("2026-01-01T00:00:01.500Z"),
    completedAt: new Date("2026-01-01T00:00:09.250Z"),
    heartbeatAt: null,
    searchId: "5",
    failReason: null,
    retryOf: null,
  };
}

describe("NOTIFY payloads", () => {
  it("round-trip events exactly and pack many into payloads under PostgreSQL's limit", () => {
    const events: DomainEvent[] = [];
    for (let i = 0; i < 300; i++) events.push(metrics(String(100 + i), 10));
    events.push({ type: "trialChanged", trial: trial() });
    events.push({ type: "trialControl", studyId: "7", trialId: "12", action: "PRUNE", reason: "x".repeat(5000) });
    const payloads = packFrames(events.map(encodeFrame));
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(events.length / 10); // batched, not one NOTIFY per event
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(MAX_NOTIFY_BYTES + 1);
    const decoded = payloads.flatMap(decodePayload);
    expect(decoded).toHaveLength(events.length);
    expect(decoded[0]).toEqual({ event: events[0] });
    expect(decoded[300]).toEqual({ event: events[300] });
    const control = decoded[301] as { event: any };
    expect(control.event.reason.length).toBeLessThan(1000);
  });

  it("turn events too large for one NOTIFY into references that name what to read back", () => {
    const big = metrics("55", 2000);
    const [frame] = decodePayload(packFrames([encodeFrame(big)])[0]);
    expect(frame).toEqual({ reference: { kind: "metrics", studyId: "7", trialId: "55", reportedUs: big.reportedUs } });
    const bigTrial = trial({ notes: "y".repeat(9000) });
    expect(decodePayload(packFrames([encodeFrame({ type: "trialChanged", trial: bigTrial })])[0])).toEqual([
      { reference: { kind: "trial", trialId: "12" } },
    ]);
  });
});

describe("metric cursors", () => {
  it("round-trip and order by time, trial, name and step; refuse text they did not make", () => {
    const c = { reportedUs: "1767225600123456", trialId: "9", name: "loss", step: 4 };
    expect(decodeMetricCursor(encodeMetricCursor(c))).toEqual(c);
    expect(compareCursors(c, { ...c, step: 5 })).toBeLessThan(0);
    expect(compareCursors(c, { ...c, name: "acc" })).toBeGreaterThan(0);
    expect(compareCursors(c, { ...c, trialId: "10" })).toBeLessThan(0);
    expect(compareCursors(c, { ...c, reportedUs: "1767225600123455", step: 99 })).toBeGreaterThan(0);
    expect(() => decodeMetricCursor("bm9wZQ")).toThrow(/cursor/);
  });
});

describe("BoundedQueue", () => {
  it("refuses items past its capacity instead of growing", async () => {
    const q = new BoundedQueue<number>({ capacity: 3 });
    expect([1, 2, 3, 4].map((i) => q.push(i))).toEqual([true, true, true, false]);
    expect((await q.next()).value).toBe(1);
    expect(q.push(5)).toBe(true);
    expect(q.drain()).toEqual([2, 3, 5]);
  });

  it("coalesces items by key: the newest replaces the one waiting, in its place", async () => {
    const q = new BoundedQueue<{ id: string; v: number }>({ capacity: 2, keyOf: (x) => x.id });
    q.push({ id: "a", v: 1 });
    q.push({ id: "b", v: 1 });
    expect(q.push({ id: "a", v: 2 })).toBe(true);
    expect(q.push({ id: "c", v: 1 })).toBe(false);
    expect(q.drain()).toEqual([
      { id: "a", v: 2 },
      { id: "b", v: 1 },
    ]);
  });

  it("releases a pending read at once when the consumer returns, and calls onClose once", async () => {
    let closed = 0;
    const q = new BoundedQueue<number>({ capacity: 1, onClose: () => closed++ });
    const pending = q.next();
    await q.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    q.end();
    expect(closed).toBe(1);
    expect(q.push(1)).toBe(false);
  });

  it("ends after what it holds, or fails at once", async () => {
    const q = new BoundedQueue<number>({ capacity: 5 });
    q.push(1);
    q.end();
    expect(await q.next()).toEqual({ value: 1, done: false });
    expect((await q.next()).done).toBe(true);
    const f = new BoundedQueue<number>({ capacity: 5 });
    f.push(1);
    f.fail(new Error("too slow"));
    await expect(f.next()).rejects.toThrow("too slow");
  });
});

describe("trialUpdated for a slow subscriber", () => {
  it("keeps each trial's latest state, and ends with a coded error past its bound", async () => {
    const bus = new MemoryEventBus();
    const hub = new EventHub(bus);
    const stream = trialUpdatedStream(hub, "7", { maxPendingTrials: 2 });
    for (const state of ["RUNNING", "COMPLETE"] as const) bus.publish({ type: "trialChanged", trial: { ...trial(), state } });
    bus.publish({ type: "trialChanged", trial: { ...trial(), id: "13", state: "RUNNING" } });
    await new Promise((r) => setImmediate(r));
    expect((await stream.next()).value).toMatchObject({ id: "12", state: "COMPLETE" });
    expect((await stream.next()).value).toMatchObject({ id: "13", state: "RUNNING" });

    for (const id of ["20", "21", "22"]) bus.publish({ type: "trialChanged", trial: { ...trial(), id } });
    await new Promise((r) => setImmediate(r));
    const error = await stream.next().catch((e) => e);
    expect(error).toBeInstanceOf(SubscriberTooSlowError);
    expect(error.code).toBe("SUBSCRIBER_TOO_SLOW");
    expect(hub.topicCount).toBe(0);
  });
});

describe("the in-process bus and the hub", () => {
  it("deliver after the publisher's turn, only to the topics an event concerns", async () => {
    const bus = new MemoryEventBus();
    const hub = new EventHub(bus);
    const byTrial: BusMessage[] = [];
    const byStudy: BusMessage[] = [];
    const other: BusMessage[] = [];
    hub.subscribe(topics.trialMetrics("55"), (m) => byTrial.push(m));
    const stop = hub.subscribe(topics.studyMetrics("7"), (m) => byStudy.push(m));
    hub.subscribe(topics.trialMetrics("56"), (m) => other.push(m));
    bus.publish(metrics("55", 3));
    expect(byTrial).toHaveLength(0); // not on the publisher's stack
    await new Promise((r) => setImmediate(r));
    expect(byTrial).toHaveLength(1);
    expect(byStudy).toHaveLength(1);
    expect(other).toHaveLength(0);
    stop();
    expect(hub.topicCount).toBe(2);
    bus.publish(metrics("55", 3));
    await new Promise((r) => setImmediate(r));
    expect(byStudy).toHaveLength(1);
    expect(byTrial).toHaveLength(2);
  });

  it("is chosen by GRAPHTUNE_EVENT_BUS, else by whether the database is embedded", () => {
    expect(eventBusKind({}, true)).toBe(EventBusKind.Memory);
    expect(eventBusKind({}, false)).toBe(EventBusKind.Postgres);
    expect(eventBusKind({ GRAPHTUNE_EVENT_BUS: "memory" }, false)).toBe(EventBusKind.Memory);
    expect(() => eventBusKind({ GRAPHTUNE_EVENT_BUS: "redis" }, false)).toThrow(/postgres/);
  });
});
