import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { projectRoot } from "../paths";
import { StudyResolver } from "./resolvers/studyResolver";
import { TrialResolver } from "./resolvers/trialResolver";
import { DateTimeScalar } from "./scalars";

/** Where the committed SDL lives; a test fails when it is stale. */
export const SCHEMA_FILE = path.join(projectRoot(), "server", "schema.graphql");

let cached: Promise<GraphQLSchema> | null = null;

/** The executable schema (built once per process: type-graphql's metadata is global). */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [StudyResolver, TrialResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  return cached;
}

/** The SDL as committed: sorted, so diffs show real changes only. */
export async function printSchemaSdl(): Promise<string> {
  return "# Generated from the type-graphql resolvers by `npm run schema:emit`; do not edit.\n\n" +
    printSchema(lexicographicSortSchema(await getSchema())) + "\n";
}

export async function emitSchema(file = SCHEMA_FILE): Promise<void> {
  await writeFile(file, await printSchemaSdl());
}
