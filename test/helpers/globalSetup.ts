import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../server/src/db/embeddedPostgres";
import { createLogger } from "../../server/src/logging";

declare module "vitest" {
  export interface ProvidedContext {
    databaseServerUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL when set (a server where the tests may
 * create and drop databases), else an embedded cluster in a temporary folder, removed afterwards.
 * Each test file then works in a database of its own.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  let dir: string | null = null;
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    dir = await mkdtemp(path.join(os.tmpdir(), "graphtune-test-pg-"));
    // Under root the cluster runs as the postgres user, who must be able to enter this folder.
    await chmod(dir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), logger: createLogger({}, "warn") });
    url = embedded.url;
  }
  project.provide("databaseServerUrl", url);
  return async () => {
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
