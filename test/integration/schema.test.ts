import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILE, printSchemaSdl } from "../../server/src/graphql/schema";

/**
 * The public contract: the team's copy beside the repository when present, else the copy kept
 * in test/fixtures (refresh it when the contract changes).
 */
function contractSdl(): string {
  const shared = path.resolve(__dirname, "../../../shared/contract.graphql");
  return readFileSync(existsSync(shared) ? shared : path.resolve(__dirname, "../fixtures/contract.graphql"), "utf8");
}


describe("the GraphQL schema", () => {
  it("is committed in server/schema.graphql as the resolvers build it", async () => {
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    expect(committed, "server/schema.graphql is stale: run `npm run schema:emit` and commit it").toBe(await printSchemaSdl());
  });

  it("keeps every type, field, argument and enum value of the public contract", () => {
    const served = buildSchema(readFileSync(SCHEMA_FILE, "utf8"));
    const breaking = findBreakingChanges(buildSchema(contractSdl()), served)
      .map((c) => c.description);
    expect(breaking).toEqual([]);
  });
});
