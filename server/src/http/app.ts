import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { useServer } from "graphql-ws/use/ws";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import { WebSocketServer } from "ws";
import { AuthMode, isLoopback } from "../auth/authMode";
import { keyFromConnectionParams } from "../auth/bearer";
import { KeyedSockets } from "../auth/keyedSockets";
import { PrincipalKind, type Principal } from "../auth/principal";
import { SubscriberTooSlowError } from "../events";
import { createContext, type Context } from "../graphql/context";
import { formatError } from "../graphql/errors";
import { LiveRateLimits, RequestRateLimits, authenticate, batchLimit, bodyErrors, principalOf, rateLimit, type HttpLimits } from "../graphql/limits/httpGuards";
import { queryLimitsRule, type QueryLimits } from "../graphql/limits/queryLimitsRule";
import { getSchema } from "../graphql/schema";
import type { Logger } from "../logging";
import type { Services } from "../services";
import { dashboardRouter } from "./dashboard";
import { graphqlPostHandler } from "./graphqlPost";
import { graphiqlRouter } from "./ide";
import { DocumentIds, sharedSubscribe } from "../graphql/sharedSubscribe";
import { PreserializedPayloads } from "../graphql/preserializedPayloads";

export interface HttpServerOptions {
  services: Services;
  logger: Logger;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Largest request body accepted in bytes, default 5 MiB (a reportMetrics batch of 10,000 points fits). */
  bodyLimitBytes?: number;
  /**
   * Decides whether a WebSocket connection may run operations, from its connectionParams (what
   * headers are to HTTP: a client sends them once, in connection_init) and the upgrade request.
   * Default: every connection is accepted. Answer false, or throw, to refuse: the socket closes
   * with 4403 Forbidden. The params also reach every operation's context as `connectionParams`.
   */
  authorizeConnection?: (connectionParams: Record<string, unknown>, request: http.IncomingMessage) => boolean | Promise<boolean>;
  /** Depth and cost of operations, request rates, batch sizes; see QueryLimits and HttpLimits for defaults. */
  limits?: QueryLimits & HttpLimits;
  /** Whether the schema may be introspected (GRAPHTUNE_INTROSPECTION); default true. */
  introspection?: boolean;
}

/** The first admin key, made when a server needing keys starts without one; shown once, in the log. */
async function ensureFirstAdmin(services: Services, logger: Logger): Promise<void> {
  if (!(await services.auth.enforced()) || (await services.access.adminKeyExists())) return;
  const apiKey = await services.access.createAdminKey("first admin");
  logger.warn("auth is on and there was no admin: this is the first admin's API key, shown only now; store it now", { apiKey });
}

/** The context of operations over WebSocket: the usual one, plus what the client sent at connect. */
export type WebSocketContext = Context & { connectionParams: Record<string, unknown> };

export interface RunningHttpServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  /** Stops taking requests, lets running ones finish, closes WebSocket clients and the event bus. */
  close(): Promise<void>;
}

const GRAPHQL_PATH = "/graphql";

/** GraphQL over HTTP (Apollo Server) and WebSocket (graphql-ws) on one port and path. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { services, logger } = options;
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) {
    if (services.auth.mode === AuthMode.Off) {
      throw new Error(`GRAPHTUNE_AUTH=off is allowed on loopback only, and HOST is ${host}; use auto or on, or listen on 127.0.0.1.`);
    }
    // Beyond loopback, a caller without a key is never let in.
    services.auth.markExposed();
  }
  await ensureFirstAdmin(services, logger);
  const schema = await getSchema();
  const introspection = options.introspection ?? true;
  const validationRules: ValidationRule[] = [queryLimitsRule(options.limits)];
  // Apollo refuses introspection itself when it is off; graphql-ws needs the rule.
  const wsValidationRules = introspection ? validationRules : [...validationRules, NoSchemaIntrospectionCustomRule];
  // Listening before the first request, so no subscription misses an event.
  await services.events.start();
  const app = express();
  // No ETag on GraphQL answers (express would hash every response body for one).
  app.set("etag", false);
  // POST /graphql with JSON goes straight to Apollo; express serves the rest.
  let graphqlPost: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null = null;
  const httpServer = http.createServer((req, res) => {
    if (!graphqlPost?.(req, res)) app(req, res);
  });
  // Longer than the usual 60 s idle timeout of load balancers and clients' keep-alive pools, so
  // the server never closes a connection that a client is about to reuse.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  // Subscription results go out serialised once per result, not once per subscriber.
  const payloads = new PreserializedPayloads();
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, WebSocket: payloads.socketClass() });
  const format = formatError(logger);
  const formatWs = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) =>
      e.originalError instanceof SubscriberTooSlowError
        ? { message: e.message, path: e.path, extensions: { code: e.originalError.code } }
        : format(e.toJSON(), e),
    );
  const authorize = options.authorizeConnection ?? (() => true);
  const documents = new DocumentCache(schema, wsValidationRules);
  const documentIds = new DocumentIds();
  const keyedSockets = new KeyedSockets(services.auth);
  const liveLimits = new LiveRateLimits(options.limits);
  const addressOf = (request: http.IncomingMessage) => request.socket.remoteAddress ?? "unknown";
  services.access.onChange(({ revokedKeyId }) => revokedKeyId && keyedSockets.closeKey(revokedKeyId));
  const wsCleanup = useServer<Record<string, unknown>, { request: http.IncomingMessage; principal: Principal }>(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          const principal = await services.auth.authenticate(keyFromConnectionParams(ctx.connectionParams ?? {}));
          if (liveLimits.connect(principal, addressOf(ctx.extra.request))) {
            ctx.extra.socket.close(4429, "too many connections from this address; retry later");
            return false;
          }
          if (!principal.authenticated) {
            // 4401, which clients read as "send credentials"; graphql-ws's own 4403 then finds it closing.
            ctx.extra.socket.close(4401, principal.kind === PrincipalKind.Rejected ? "API key refused" : "API key required");
            return false;
          }
          ctx.extra.principal = principal;
          if (principal.key) {
            const { socket } = ctx.extra;
            keyedSockets.add(principal.key.id, socket);
            socket.once("close", () => keyedSockets.remove(principal.key!.id, socket));
          }
          return await authorize(ctx.connectionParams ?? {}, ctx.extra.request);
        } catch (error) {
          logger.debug("WebSocket connection refused", { error });
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const wait = liveLimits.subscribe(ctx.extra.principal!, addressOf(ctx.extra.request));
        if (wait) {
          return [
            new GraphQLError(`too many subscriptions; retry after ${wait} s (limits are per API key, and per address without one).`, {
              extensions: { code: "RATE_LIMITED", retryAfterSeconds: wait },
            }),
          ];
        }
        const document = documents.get(payload.query);
        if (Array.isArray(document)) return document;
        return { schema, document: document as DocumentNode, variableValues: payload.variables, operationName: payload.operationName };
      },
      context: (ctx): WebSocketContext => ({ ...createContext(services, ctx.extra.principal!), connectionParams: ctx.connectionParams ?? {} }),
      // Subscribers with the same operation, variables and rights execute each event once between them.
      subscribe: sharedSubscribe((args) =>
        JSON.stringify([
          documentIds.of(args.document),
          args.operationName ?? null,
          args.variableValues ?? null,
          (args.contextValue as WebSocketContext).auth.principal.rightsKey,
        ]),
      ),
      // The same error codes and redaction as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length ? ({ ...result, errors: formatWs(result.errors) } as FormattedExecutionResult) : payloads.share(result),
      jsonMessageReplacer: payloads.replacer,
      onError: (_ctx, _id, _payload, errors) => formatWs(errors),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: formatError(logger),
    introspection,
    validationRules,
    // Arrays of operations are accepted, up to HttpLimits.maxBatch (batchLimit).
    allowBatchedHttpRequests: true,
    // The command line stops the whole server on SIGTERM/SIGINT (streams, event bus, pool); Apollo
    // stopping itself on the same signal first would race that and re-raise the signal.
    stopOnTerminationSignals: false,
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
              keyedSockets.stop();
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const bodyLimitBytes = options.bodyLimitBytes ?? 5 * 1024 * 1024;
  const rateLimits = new RequestRateLimits(options.limits);
  graphqlPost = graphqlPostHandler(GRAPHQL_PATH, { apollo, services, logger, rateLimits, limits: options.limits, bodyLimitBytes });
  // What graphqlPost leaves (GET, other content types and charsets, compressed bodies) takes the
  // same guards through express.
  const graphqlHandler = expressMiddleware(apollo, { context: async ({ res }) => createContext(services, principalOf(res)) });
  const jsonBody = express.json({ limit: bodyLimitBytes });
  const guards = [authenticate(services.auth), batchLimit(options.limits), rateLimit(rateLimits)];
  app.post(GRAPHQL_PATH, jsonBody, bodyErrors, ...guards, graphqlHandler);
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use(graphiqlRouter(GRAPHQL_PATH));
  app.get(GRAPHQL_PATH, jsonBody, bodyErrors, ...guards, graphqlHandler);
  app.use(dashboardRouter());

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
    async close() {
      await apollo.stop();
      services.streams.close();
      await services.events.close();
    },
  };
}

/**
 * Parsed and validated operations by text. Clients send the same few subscription texts over and
 * over (every dashboard tab, every executor), so each subscription shares one syntax tree instead
 * of holding its own, and parsing and validation run once per text.
 */
class DocumentCache {
  private readonly byText = new Map<string, DocumentNode | GraphQLError[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    /** Run after graphql's own rules (query limits, introspection). */
    private readonly rules: readonly ValidationRule[],
    /** Texts kept; the oldest is forgotten beyond it. */
    private readonly capacity = 500,
  ) {}

  /** The document, or its errors coded as Apollo codes them over HTTP. */
  get(text: string): DocumentNode | GraphQLError[] {
    let found = this.byText.get(text);
    if (found) return found;
    try {
      const document = parse(text);
      const errors = validate(this.schema, document, [...specifiedRules, ...this.rules]);
      found = errors.length
        ? errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }))
        : document;
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      found = [new GraphQLError(error.message, { source: error.source, positions: error.positions, extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
    }
    if (this.byText.size >= this.capacity) this.byText.delete(this.byText.keys().next().value!);
    this.byText.set(text, found);
    return found;
  }
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
