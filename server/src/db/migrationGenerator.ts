import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createDataSource } from "./dataSource";

/**
 * What `npm run migration:generate` does: migrates a scratch database with the existing
 * migrations, diffs it against the entities, and writes the difference as a new migration.
 * Returns the new file, or null when the entities and migrations already agree.
 */
export async function generateMigration(serverUrl: string, name: string, migrationsDir: string): Promise<string | null> {
  const scratch = `graphtune_migration_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${scratch}`;
    const dataSource = createDataSource(url.toString(), 2);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      const { upQueries, downQueries } = await dataSource.driver.createSchemaBuilder().log();
      if (upQueries.length === 0) return null;
      const timestamp = Date.now();
      const className = `${name.replace(/[^A-Za-z0-9]/g, "")}${timestamp}`;
      const q = (s: string) => JSON.stringify(s);
      const body = `import type { MigrationInterface, QueryRunner } from "typeorm";

export class ${className} implements MigrationInterface {
  name = ${q(className)};

  async up(queryRunner: QueryRunner): Promise<void> {
${upQueries.map((u) => `    await queryRunner.query(${q(u.query)}${u.parameters?.length ? `, ${JSON.stringify(u.parameters)}` : ""});`).join("\n")}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${downQueries
  .reverse()
  .map((d) => `    await queryRunner.query(${q(d.query)}${d.parameters?.length ? `, ${JSON.stringify(d.parameters)}` : ""});`)
  .join("\n")}
  }
}
`;
      const fileBase = `${timestamp}-${name.replace(/[^A-Za-z0-9-]/g, "")}`;
      const file = path.join(migrationsDir, `${fileBase}.ts`);
      await writeFile(file, body);
      await registerMigration(path.join(migrationsDir, "index.ts"), fileBase, className);
      return file;
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
    await admin.end();
  }
}

/** Adds the new class to migrations/index.ts, which lists every migration in order. */
async function registerMigration(indexFile: string, fileBase: string, className: string): Promise<void> {
  let text = await readFile(indexFile, "utf8");
  const importLine = `import { ${className} } from "./${fileBase}";\n`;
  text = text.replace(/(import type \{ MigrationInterface \} from "typeorm";\n)/, `$1${importLine}`);
  text = text.replace(/= \[([^\]]*)\];/, (_m, list: string) => {
    const items = list.split(",").map((s) => s.trim()).filter(Boolean);
    items.push(className);
    return `= [${items.join(", ")}];`;
  });
  await writeFile(indexFile, text);
}
