import { openDatabase } from "./db/dataSource";
import { Database } from "./db/database";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embeddedPostgres";
import { startHttpServer, type RunningHttpServer } from "./http/app";
import type { Logger } from "./logging";
import { createServices, type Services } from "./services";
import type { ServerConfig } from "./config";
import path from "node:path";
import { EventBusKind, eventBusKind } from "./events";
import { LocalExecutor } from "./executors/localExecutor";
import { AuthMode } from "./auth/authMode";

export interface GraphtuneServer {
  http: RunningHttpServer;
  services: Services;
  databaseUrl: string;
  /** Graceful: finishes requests in flight, ends streams, then closes the pool and any embedded database. */
  stop(): Promise<void>;
}

/**
 * Starts a whole server: the database (embedded unless a URL is given), migrations, services, the
 * event bus (see `eventBusKind`: PostgreSQL LISTEN/NOTIFY on an external database, in-process on
 * the embedded one, GRAPHTUNE_EVENT_BUS to choose) and the GraphQL endpoint.
 */
export async function startGraphtune(config: ServerConfig, logger: Logger): Promise<GraphtuneServer> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres"), logger });
    databaseUrl = embedded.url;
  }
  try {
    const schemaOwner = await openDatabase(databaseUrl);
    await schemaOwner.destroy();
    const db = new Database(databaseUrl);
    const busKind = eventBusKind(process.env, embedded !== null);
    const services = createServices(db, {
      events: busKind === EventBusKind.Postgres ? { kind: busKind, url: databaseUrl } : { kind: busKind },
      logger,
      leaseSeconds: config.leaseSeconds,
      auth: { mode: config.auth },
    });
    logger.info("event bus", { kind: busKind });
    await services.studies.defaultProject();
    const http = await startHttpServer({
      services,
      logger,
      host: config.host,
      port: config.port,
      introspection: config.introspection,
      limits: { perKey: { perSecond: config.rateLimit } },
    });
    services.sweeper.start();
    const executor =
      config.executor === "none"
        ? null
        : new LocalExecutor({
            server: localUrl(http.url),
            device: config.executor,
            logger: logger.child({ component: "local-executor" }),
            // An EXECUTOR key of its own, unless auth can never be on (off, on loopback).
            apiKey: config.auth === AuthMode.Off ? undefined : await services.access.createLocalExecutorKey(),
          });
    executor?.start();
    return {
      http,
      services,
      databaseUrl,
      async stop() {
        await executor?.stop();
        await services.sweeper.stop();
        await http.close();
        await db.close();
        await embedded?.stop();
        logger.info("graphtune stopped");
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** The server's URL as a process on this machine reaches it (a wildcard host means loopback). */
function localUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === "0.0.0.0" || parsed.hostname === "[::]") parsed.hostname = "127.0.0.1";
  return parsed.toString();
}
