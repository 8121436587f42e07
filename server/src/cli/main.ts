#!/usr/bin/env node
import "./productionMode";
import "reflect-metadata";
import path from "node:path";
import { parseFlags, readConfig } from "../config";
import { runWorker } from "../executors/workerCommand";
import { startEmbeddedPostgres } from "../db/embeddedPostgres";
import { openDatabase } from "../db/dataSource";
import { Database } from "../db/database";
import { AccessService } from "../auth/accessService";
import { generateMigration } from "../db/migrationGenerator";
import { emitSchema, SCHEMA_FILE } from "../graphql/schema";
import { createLogger } from "../logging";
import { projectRoot } from "../paths";
import { startGraphtune } from "../server";

const HELP = `graphtune <command> [flags]

Commands:
  start                 run the GraphQL server (default) and a local executor
  worker                run trials of searches for a server (one worker per device)
  migrate               apply pending database migrations and exit
  emit-schema           write server/schema.graphql from the resolvers
  migration-generate    write a migration for entity changes (--name Name)
  create-admin-key      print a new API key of the server administrator (the server's database,
                        as for migrate; with the embedded one, run it while the server is stopped)

Flags (and environment variables):
  --port N              PORT, default 4000
  --host H              HOST, default 127.0.0.1
  --database-url URL    DATABASE_URL; empty or unset: embedded PostgreSQL
  --data-dir DIR        GRAPHTUNE_DATA_DIR, default ./.data (embedded PostgreSQL files)
  --executor cpu|gpu:N|none
                        GRAPHTUNE_EXECUTOR, default cpu: the worker \`start\` runs beside the server
  --lease-seconds S     GRAPHTUNE_LEASE_SECONDS, default 30: a search trial without a heartbeat
                        this long fails (and is retried when its search allows)
  --auth on|off|auto    GRAPHTUNE_AUTH, default auto: API keys needed when HOST is not loopback
                        or once any key exists; off is refused beyond loopback
  --introspection on|off
                        GRAPHTUNE_INTROSPECTION, default on
  --rate-limit N        GRAPHTUNE_RATE_LIMIT, default 200 requests per second per API key

Worker flags (and environment variables):
  --server URL          GRAPHTUNE_SERVER, default http://127.0.0.1:4000/graphql
  --api-key KEY         GRAPHTUNE_API_KEY
  --device cpu|gpu:N    GRAPHTUNE_DEVICE, default cpu (gpu:N sets CUDA_VISIBLE_DEVICES=N)
  --trainers a,b        the trainers to run; default all (tfjs-mlp, tfjs-lr-range, command)
  --search ID           only this search's trials
  --max-trials N        exit after N trials
  --idle-ms N           wait between claims that found no work, default 1000
`;

async function main(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith("--") ? argv[0] : "start";
  if (command === "worker") {
    await runWorker(parseFlags(argv.slice(1)), process.env, createLogger({ service: "graphtune-worker" }));
    return;
  }
  const config = readConfig(argv);
  const logger = createLogger({ service: "graphtune" });
  switch (command) {
    case "start": {
      // Handlers first: a signal during start-up waits for the start to finish, then stops cleanly.
      const starting = startGraphtune(config, logger);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info("shutting down", { signal });
        await (await starting).stop();
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop("SIGTERM"));
      process.on("SIGINT", () => void stop("SIGINT"));
      await starting;
      return;
    }
    case "migrate":
    case "create-admin-key":
    case "migration-generate": {
      const embedded = config.databaseUrl
        ? null
        : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres"), logger });
      const url = config.databaseUrl ?? embedded!.url;
      try {
        if (command === "migrate") {
          await (await openDatabase(url, 2)).destroy();
          logger.info("migrations applied");
        } else if (command === "create-admin-key") {
          await (await openDatabase(url, 2)).destroy();
          const db = new Database(url, 2);
          try {
            const key = await new AccessService(db).createAdminKey(readName(argv) ?? "operator");
            // The one place a key is shown: stdout, not the log.
            process.stdout.write(`${key}\n`);
            process.stderr.write("The API key above belongs to the server administrator and is shown only now: store it now.\n");
          } finally {
            await db.close();
          }
        } else {
          const name = readName(argv) ?? "Change";
          const file = await generateMigration(url, name, path.join(projectRoot(), "migrations"));
          logger.info(file ? "migration written" : "entities and migrations agree; nothing to generate", { file });
        }
      } finally {
        await embedded?.stop();
      }
      return;
    }
    case "emit-schema":
      await emitSchema();
      logger.info("schema written", { file: SCHEMA_FILE });
      return;
    case "help":
      process.stdout.write(HELP);
      return;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      process.exit(2);
  }
}

function readName(argv: string[]): string | null {
  const i = argv.findIndex((a) => a === "--name" || a.startsWith("--name="));
  if (i < 0) return null;
  return argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1] ?? null;
}

main(process.argv.slice(2)).catch((error) => {
  createLogger({ service: "graphtune" }).error("fatal", { error });
  process.exit(1);
});
