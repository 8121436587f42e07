import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { authorizeSchema } from "../auth/authorizeSchema";
import { projectRoot } from "../paths";
import { callResolversDirectly } from "./directResolvers";
import { AuthResolver } from "./resolvers/authResolver";
import { StudyImportanceResolver } from "./resolvers/importanceResolver";
import { AnnotationResolver } from "./resolvers/annotationResolver";
import { ComparisonResolver } from "./resolvers/comparisonResolver";
import { ExportResolver } from "./resolvers/exportResolver";
import { ExecutorResolver, SearchResolver, StudySearchesResolver } from "./resolvers/searchResolver";
import { StudyResolver } from "./resolvers/studyResolver";
import { MetricBatchResolver, SubscriptionResolver } from "./resolvers/subscriptionResolver";
import { TrialResolver } from "./resolvers/trialResolver";
import { DateTimeScalar } from "./scalars";

/** Where the committed SDL lives; a test fails when it is stale. */
export const SCHEMA_FILE = path.join(projectRoot(), "server", "schema.graphql");

let cached: Promise<GraphQLSchema> | null = null;

const UNUSED_PUB_SUB = {
  publish(): void {
    throw new Error("publish through Services.events, not type-graphql's PubSub");
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error("subscriptions take their streams from Services.streams");
  },
};

const RESOLVERS = [
  AuthResolver,
  StudyResolver,
  TrialResolver,
  SubscriptionResolver,
  MetricBatchResolver,
  SearchResolver,
  StudySearchesResolver,
  StudyImportanceResolver,
  ExecutorResolver,
  AnnotationResolver,
  ComparisonResolver,
  ExportResolver,
] as const;

/** The executable schema (built once per process: type-graphql's metadata is global). */
export function getSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    // Required by type-graphql for @Subscription; every subscription here brings its own
    // `subscribe` (the streams of server/src/events), so this one is never used.
    pubSub: UNUSED_PUB_SUB,
  }).then((schema) => {
    callResolversDirectly(schema, RESOLVERS);
    // Every root field is checked against its access policy; one without a policy is refused.
    authorizeSchema(schema);
    return schema;
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
