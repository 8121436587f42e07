/**
 * A floor of bench:api's workload: the service layer the server runs (support/trialApis.ts's
 * in-process API, same statements and event bus kind) behind a bare HTTP server, with no GraphQL.
 * A call is POST {"query": "ask" | "report" | "tell" | "createStudy", "variables": {...}}, answered
 * {"data": ...}, the body shape GraphqlClient sends, so both floors and the real server are driven
 * by the same client. Run as its own process by `startServiceHttpFloor`.
 */
import http from "node:http";
import { freePort } from "../../server/src/db/embeddedPostgres";
import { GraphqlClient } from "./graphqlClient";
import { startNodeProcess, type ServerProcess } from "./serverProcess";
import { inProcessTrialApi, type TrialApi } from "./trialApis";

const READY = "service HTTP floor is listening";

/** Starts the floor as its own process on `databaseUrl`; `api` drives it over HTTP. */
export async function startServiceHttpFloor(databaseUrl: string): Promise<{ process: ServerProcess; api: TrialApi; close(): Promise<void> }> {
  const port = await freePort();
  const child = await startNodeProcess(__filename, ["--port", String(port)], { port, env: { DATABASE_URL: databaseUrl }, readyText: READY });
  const client = new GraphqlClient(child.url);
  const call = (op: string, variables: Record<string, unknown>) => client.request(op, variables);
  return {
    process: child,
    api: {
      createStudy: (input) => call("createStudy", { input }),
      ask: (studyId) => call("ask", { studyId }),
      report: (trialId, points) => call("report", { trialId, points }),
      tell: (trialId, values) => call("tell", { trialId, values }),
    },
    close: async () => {
      client.close();
      await child.stop();
    },
  };
}

async function serve(port: number, databaseUrl: string): Promise<void> {
  const api = await inProcessTrialApi(databaseUrl);
  const calls: Record<string, (v: any) => Promise<unknown>> = {
    createStudy: (v) => api.createStudy(v.input),
    ask: (v) => api.ask(v.studyId),
    report: async (v) => {
      await api.report(v.trialId, v.points);
      return { shouldPrune: false };
    },
    tell: async (v) => {
      await api.tell(v.trialId, v.values);
      return true;
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString());
      calls[query](variables).then(
        (data) => answer(res, { data }),
        (error: Error) => answer(res, { errors: [{ message: error.message }] }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1", () => console.log(READY));
  process.on("SIGTERM", () => void api.close().finally(() => process.exit(0)));
}

function answer(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

if (require.main === module) {
  const i = process.argv.indexOf("--port");
  serve(Number(process.argv[i + 1]), process.env.DATABASE_URL!).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
