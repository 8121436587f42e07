import { DataSource } from "typeorm";
import { migrations } from "../../../migrations";
import { entities } from "./entities";

/** The TypeORM DataSource for a PostgreSQL URL. `synchronize` stays off: the schema comes from migrations. */
export function createDataSource(url: string, poolSize = 20): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: { max: poolSize },
  });
}

/** Connects and applies pending migrations. */
export async function openDatabase(url: string, poolSize?: number): Promise<DataSource> {
  const dataSource = createDataSource(url, poolSize);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: "each" });
  return dataSource;
}
