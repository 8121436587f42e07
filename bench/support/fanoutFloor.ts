/**
 * The floor of bench:subscriptions' workload on this machine: the same HTTP reports in and the
 * same WebSocket messages out, with no GraphQL, no database and no event bus. A report
 * (POST {trialId, points}) is answered at once and its batch sent to every socket that follows its
 * trial or its study, framed as graphql-ws frames its `next` message (each subscription's own id),
 * so the bytes per message match. Run as its own process by `startFanoutFloor`.
 */
import http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { freePort } from "../../server/src/db/embeddedPostgres";
import { startNodeProcess, type ServerProcess } from "./serverProcess";

const READY = "fan-out floor is listening";

/** Starts the floor server as its own process; subscribe at ws://…/graphql?scope=ID&id=SUBSCRIPTION. */
export async function startFanoutFloor(): Promise<ServerProcess> {
  const port = await freePort();
  return startNodeProcess(__filename, ["--port", String(port)], { port, env: {}, readyText: READY });
}

function serve(port: number): void {
  const followers = new Map<string, Array<{ socket: WebSocket; id: string }>>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { studyId, trialId, points } = JSON.parse(Buffer.concat(chunks).toString());
      const payload = JSON.stringify({ data: { metricsReported: { trialId, points } } });
      for (const scope of [trialId, studyId]) {
        for (const f of followers.get(scope) ?? []) f.socket.send(`{"id":${JSON.stringify(f.id)},"type":"next","payload":${payload}}`);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"data":{"reportMetrics":{"shouldPrune":false}}}`);
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
  process.on("SIGTERM", () => process.exit(0));
}

if (require.main === module) {
  const i = process.argv.indexOf("--port");
  serve(Number(process.argv[i + 1]));
}
