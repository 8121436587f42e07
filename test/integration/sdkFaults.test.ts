import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Graphtune, NetworkError, floatParam } from "../../client-sdk/src";
import { startTestServer, type TestServer } from "../helpers/testServer";

/**
 * A TCP proxy in front of the test server that breaks connections on demand, as a flaky network
 * or a restarting load balancer would: it can let a request through and then drop the answer
 * (the server did the work, the client never hears of it), cut every open connection, or stop
 * listening.
 */
class FaultyProxy {
  /** Answers to drop: the next N chunks from the server close both sides instead of passing. */
  dropAnswers = 0;
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.pipe(client));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Stops accepting connections and cuts the open ones: the server looks down. */
  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  cutAll(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  private pipe(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (this.dropAnswers > 0) {
        this.dropAnswers--;
        close();
        return;
      }
      client.write(chunk);
    });
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  }
}

let server: TestServer;
let proxy: FaultyProxy;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${seq++}`;

/** A Graphtune through the proxy with short waits between tries, counting what it sends. */
function throughProxy(attempts = 5): { gt: Graphtune; sent: Map<string, number> } {
  const sent = new Map<string, number>();
  const counting: typeof fetch = async (input, init) => {
    const field = /\{\s*(\w+)/.exec(JSON.parse(String(init?.body)).query)?.[1] ?? "?";
    sent.set(field, (sent.get(field) ?? 0) + 1);
    return fetch(input, init);
  };
  const gt = new Graphtune({
    url: proxy.url,
    fetch: counting,
    retry: { attempts, initialDelayMs: 20, maxDelayMs: 100 },
    live: { retry: { attempts: 10, initialDelayMs: 20, maxDelayMs: 200 } },
  });
  return { gt, sent };
}

async function storedSteps(trialId: string): Promise<number[]> {
  const data = await server.ok(`query($id: ID!) { trial(id: $id) { intermediateValues { step } } }`, { id: trialId });
  return data.trial.intermediateValues.map((p: { step: number }) => p.step);
}

beforeAll(async () => {
  server = await startTestServer();
  const target = new URL(server.url);
  proxy = new FaultyProxy({ host: target.hostname, port: Number(target.port) });
  await proxy.listen();
});
afterEach(() => {
  proxy.dropAnswers = 0;
});
afterAll(async () => {
  await proxy?.stop().catch(() => undefined);
  await server?.close();
});

describe("retries over HTTP", () => {
  it("retries reportMetrics whose answers were lost, without storing a point twice", async () => {
    const { gt, sent } = throughProxy();
    const study = await gt.createStudy({ name: unique("report"), searchSpace: [floatParam("x", 0, 1)] });
    const trial = await study.ask();
    await trial.report(0.9, 0);
    proxy.dropAnswers = 2; // the server stores the points, the client hears nothing, twice
    await trial.log({ objective: 0.8, accuracy: 0.5 }, 1);
    await trial.report(0.7, 2);
    expect(sent.get("reportMetrics")).toBe(5);
    expect(await storedSteps(trial.id)).toEqual([0, 1, 2]);
    const series = await server.ok(`query($id: ID!) { trial(id: $id) { metrics { name points { step value } } } }`, { id: trial.id });
    expect(series.trial.metrics).toEqual([
      { name: "accuracy", points: [{ step: 1, value: 0.5 }] },
      { name: "objective", points: [{ step: 0, value: 0.9 }, { step: 1, value: 0.8 }, { step: 2, value: 0.7 }] },
    ]);
  });

  it("retries tellTrial and takes the trial it finds told as asked as the lost answer", async () => {
    const { gt, sent } = throughProxy();
    const study = await gt.createStudy({ name: unique("tell"), searchSpace: [floatParam("x", 0, 1)] });
    const trial = await study.ask();
    proxy.dropAnswers = 1;
    expect(await study.tell(trial, 0.25)).toMatchObject({ state: "COMPLETE", values: [0.25] });
    expect(sent.get("tellTrial")).toBe(2);
  });

  it("retries askTrial with its key after a lost answer, and gets the trial the first try started", async () => {
    const { gt, sent } = throughProxy();
    const study = await gt.createStudy({ name: unique("ask"), searchSpace: [floatParam("x", 0, 1)] });
    proxy.dropAnswers = 1;
    const trial = await study.ask();
    expect(sent.get("askTrial")).toBe(2);
    // The lost answer's trial is the one returned: exactly one trial, not one per try.
    expect(await server.ok(`query($id: ID!) { study(id: $id) { trialCount } }`, { id: study.id })).toEqual({ study: { trialCount: 1 } });
    expect(trial.number).toBe(0);
    expect((await study.ask()).number).toBe(1);
  });

  it("gives a clear NetworkError after the last try when the server stays unreachable", async () => {
    const { gt, sent } = throughProxy(3);
    const study = await gt.createStudy({ name: unique("down"), searchSpace: [floatParam("x", 0, 1)] });
    const trial = await study.ask();
    const port = proxy.port;
    await proxy.stop();
    try {
      const failure = await trial.report(1, 0).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(NetworkError);
      expect(failure).toMatchObject({ code: "NETWORK_ERROR", attempts: 3 });
      expect((failure as Error).message).toMatch(/reportMetrics failed after 3 tries over [\d.]+ s: .*ECONNREFUSED.*running and reachable/);
      expect(sent.get("reportMetrics")).toBe(3);
    } finally {
      proxy = new FaultyProxy({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
      await proxy.listen(port);
    }
  });

  it("retries even askTrial when the connection was refused, and succeeds once the server is back", async () => {
    const { gt, sent } = throughProxy(8);
    const study = await gt.createStudy({ name: unique("back"), searchSpace: [floatParam("x", 0, 1)] });
    const port = proxy.port;
    await proxy.stop();
    const asking = study.ask();
    await new Promise((r) => setTimeout(r, 150));
    proxy = new FaultyProxy({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
    await proxy.listen(port);
    const trial = await asking;
    expect(trial.number).toBe(0);
    expect(sent.get("askTrial")).toBeGreaterThan(1);
    expect(await server.ok(`query($id: ID!) { study(id: $id) { trialCount } }`, { id: study.id })).toEqual({ study: { trialCount: 1 } });
  });
});

describe("a server that accepts connections but never answers", () => {
  it("times each try out, retries a query, then throws NetworkError", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/graphql`;
    try {
      const gt = new Graphtune({ url, timeoutMs: 150, retry: { attempts: 2, initialDelayMs: 10 } });
      const started = Date.now();
      const failure = await gt.loadStudy("anything").catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(NetworkError);
      expect(failure).toMatchObject({ attempts: 2 });
      expect((failure as Error).message).toMatch(/study failed after 2 tries .*no answer within the request timeout/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});

describe("live watches over a dropping connection", () => {
  it("reconnect and resume watchMetrics after the last batch: every point once, in order", async () => {
    const { gt } = throughProxy();
    try {
      const study = await gt.createStudy({ name: unique("resume"), searchSpace: [floatParam("x", 0, 1)] });
      const direct = new Graphtune({ url: server.url });
      const trial = await (await direct.loadStudy({ id: study.id })).ask();
      const STEPS = 150;
      const keys: string[] = [];
      const watching = (async () => {
        for await (const batch of study.watchMetrics({ trialId: trial.id })) {
          for (const p of batch.points) keys.push(`${batch.name}/${p.step}`);
          if (keys.length >= STEPS) break;
        }
      })();
      let cuts = 0;
      for (let step = 0; step < STEPS; step += 3) {
        await trial.report(step, step);
        await direct.client.request(
          `mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }`,
          { t: trial.id, p: [1, 2].map((k) => ({ step: step + k, value: step + k })) },
        );
        if (step % 45 === 30) {
          proxy.cutAll(); // every WebSocket through the proxy drops
          cuts++;
        }
      }
      await Promise.race([watching, new Promise((_, reject) => setTimeout(() => reject(new Error(`stalled at ${keys.length} points`)), 20_000))]);
      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(keys).toEqual(Array.from({ length: STEPS }, (_, s) => `objective/${s}`));
    } finally {
      await gt.close();
    }
  });
});
