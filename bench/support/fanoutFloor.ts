/**
 * Floors of bench:subscriptions' workload on this machine: the same HTTP reports in and the same
 * WebSocket messages out, framed as graphql-ws frames its `next` message (each subscription's own
 * id), so the bytes per message match, with no GraphQL. Run as its own process by
 * `startFanoutFloor`. Two kinds:
 * - bare: a report (POST {studyId, trialId, points}) is answered at once and its batch sent to every
 *   socket that follows its trial or its study. No database, no event bus: what the machine allows.
 * - service: a report is stored by the service layer the server runs (support/trialApis.ts: the same
 *   statement, the PostgreSQL LISTEN/NOTIFY bus), and each process sends what the bus delivers to
 *   its own sockets, so several processes on one database share events as servers do. What the
 *   storage and the bus allow, without GraphQL, graphql-ws or the streams' replay and buffering.
 *   POST /setup {reporters} makes a study and one running trial per reporter.
 */
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { freePort } from "../../server/src/db/embeddedPostgres";
import type { ReportedSeries } from "../../server/src/events/events";
import { startNodeProcess, type ServerProcess } from "./serverProcess";
import { inProcessTrialApi } from "./trialApis";

const READY = "fan-out floor is listening";

type Point = { step: number; value: number };

/**
 * Starts a floor server as its own process; subscribe at
 * ws://…/graphql?scope=trial:ID|study:ID&id=SUBSCRIPTION (trial and study ids may be equal).
 * With `databaseUrl`, the service kind on that database; else the bare kind.
 */
export async function startFanoutFloor(databaseUrl?: string): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = databaseUrl ? { FLOOR_DATABASE_URL: databaseUrl } : {};
  return startNodeProcess(__filename, ["--port", String(port)], { port, env, readyText: READY });
}

async function serve(port: number, databaseUrl: string | undefined): Promise<void> {
  const followers = new Map<string, Array<{ socket: WebSocket; id: string }>>();
  const fanOut = (studyId: string, trialId: string, points: Point[]) => {
    const payload = JSON.stringify({ data: { metricsReported: { trialId, points } } });
    for (const scope of [`trial:${trialId}`, `study:${studyId}`]) {
      for (const f of followers.get(scope) ?? []) f.socket.send(`{"id":${JSON.stringify(f.id)},"type":"next","payload":${payload}}`);
    }
  };
  const routes = databaseUrl ? await serviceRoutes(databaseUrl, fanOut) : bareRoutes(fanOut);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      const route = req.url === "/setup" ? routes.setup : routes.report;
      route(body).then(
        (answer) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(answer);
        },
        (error: Error) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: error.message }] }));
        },
      );
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket, req) => {
    const query = new URL(req.url ?? "/", "http://floor").searchParams;
    const scope = query.get("scope") ?? "";
    const entry = { socket, id: query.get("id") ?? "" };
    followers.set(scope, [...(followers.get(scope) ?? []), entry]);
    socket.on("close", () => followers.set(scope, (followers.get(scope) ?? []).filter((e) => e !== entry)));
  });
  server.listen(port, "127.0.0.1", () => console.log(READY));
  process.on("SIGTERM", () => void routes.close().finally(() => process.exit(0)));
}

const REPORT_ANSWER = `{"data":{"reportMetrics":{"shouldPrune":false}}}`;

interface Routes {
  setup(body: { reporters: number }): Promise<string>;
  report(body: { studyId: string; trialId: string; points: Point[] }): Promise<string>;
  close(): Promise<void>;
}

function bareRoutes(fanOut: (studyId: string, trialId: string, points: Point[]) => void): Routes {
  return {
    setup: async ({ reporters }) => JSON.stringify({ studyId: "study", trials: Array.from({ length: reporters }, (_, r) => `trial-${r}`) }),
    report: async ({ studyId, trialId, points }) => {
      fanOut(studyId, trialId, points);
      return REPORT_ANSWER;
    },
    close: async () => undefined,
  };
}

async function serviceRoutes(databaseUrl: string, fanOut: (studyId: string, trialId: string, points: Point[]) => void): Promise<Routes> {
  const api = await inProcessTrialApi(databaseUrl);
  api.events.subscribe((message) => {
    if (message.type === "metricsReported") fanOut(message.studyId, message.trialId, pointsOf(message.series));
  });
  return {
    setup: async ({ reporters }) => {
      const studyId = await api.createStudy({ name: `floor-${Date.now()}` });
      const trials: string[] = [];
      for (let r = 0; r < reporters; r++) trials.push((await api.ask(studyId)).id);
      return JSON.stringify({ studyId, trials });
    },
    report: async ({ trialId, points }) => {
      await api.report(trialId, points);
      return REPORT_ANSWER;
    },
    close: () => api.close(),
  };
}

/** The objective series' points (the only series the benchmark reports). */
function pointsOf(series: ReportedSeries[]): Point[] {
  return series.flatMap((s) => s.steps.map((step, i) => ({ step, value: s.values[i] })));
}

if (require.main === module) {
  const i = process.argv.indexOf("--port");
  serve(Number(process.argv[i + 1]), process.env.FLOOR_DATABASE_URL).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
