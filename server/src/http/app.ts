import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { createContext, type Context } from "../graphql/context";
import { formatError } from "../graphql/errors";
import { getSchema } from "../graphql/schema";
import type { Logger } from "../logging";
import type { Services } from "../services";
import { graphiqlRouter } from "./ide";

export interface HttpServerOptions {
  services: Services;
  logger: Logger;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Largest request body accepted, default "5mb" (a reportMetrics batch of 10,000 points fits). */
  bodyLimit?: string;
}

export interface RunningHttpServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  /** Stops taking requests, lets running ones finish, closes WebSocket clients. */
  close(): Promise<void>;
}

const GRAPHQL_PATH = "/graphql";

/** GraphQL over HTTP (Apollo Server) and WebSocket (graphql-ws) on one port and path. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { services, logger } = options;
  const schema = await getSchema();
  const app = express();
  const httpServer = http.createServer(app);
  // Longer than the usual 60 s idle timeout of load balancers and clients' keep-alive pools, so
  // the server never closes a connection that a client is about to reuse.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, Context>(
    { schema, context: () => createContext(services) },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: formatError(logger),
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching of GraphQL responses here; the plugin would hook every resolved field.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin(logger),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // API clients' POSTs match first and skip every other route: the hot path stays short.
  const graphqlHandler = expressMiddleware(apollo, { context: async () => createContext(services) });
  const jsonBody = express.json({ limit: options.bodyLimit ?? "5mb" });
  app.post(GRAPHQL_PATH, jsonBody, graphqlHandler);
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use(graphiqlRouter(GRAPHQL_PATH));
  app.get(GRAPHQL_PATH, jsonBody, graphqlHandler);

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? 4000, host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  logger.info("graphtune is listening", { url: `http://${shownHost}:${port}${GRAPHQL_PATH}` });
  return {
    url: `http://${shownHost}:${port}${GRAPHQL_PATH}`,
    wsUrl: `ws://${shownHost}:${port}${GRAPHQL_PATH}`,
    port,
    close: () => apollo.stop(),
  };
}

/** One debug line per operation: name, duration, and error codes. */
function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          logger.debug("graphql operation", {
            operation: operationName ?? null,
            ms: Math.round((performance.now() - started) * 100) / 100,
            errors: errors?.map((e) => e.extensions?.code ?? "ERROR"),
          });
        },
      };
    },
  };
}
