import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeField } from "../../server/src/auth/authorizeField";
import { POLICIES, REF_ARGUMENTS } from "../../server/src/auth/fieldPolicies";
import { Principal } from "../../server/src/auth/principal";
import { ProjectLookup, RefKind } from "../../server/src/auth/projectLookup";
import { getSchema } from "../../server/src/graphql/schema";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { openLive } from "./authLive";

/**
 * Root fields that act only on what the caller owns or may see, so another project's ids cannot
 * be passed to them; what they answer is checked below (lists) and in auth.test.ts.
 */
const CALLER_SCOPED = new Set(["Query.viewer", "Query.studies", "Query.executors", "Query.apiKeys", "Mutation.registerExecutor"]);

type Field = { type: "Query" | "Mutation" | "Subscription"; field: GraphQLField<unknown, unknown> };

function rootFields(schema: GraphQLSchema): Field[] {
  const out: Field[] = [];
  for (const type of ["Query", "Mutation", "Subscription"] as const) {
    const root = type === "Query" ? schema.getQueryType() : type === "Mutation" ? schema.getMutationType() : schema.getSubscriptionType();
    for (const field of Object.values(root?.getFields() ?? {})) out.push({ type, field });
  }
  return out;
}

describe("every root field has an access policy", () => {
  it("finds one for each Query, Mutation and Subscription field of the served schema", async () => {
    const missing = rootFields(await getSchema())
      .map(({ type, field }) => `${type}.${field.name}`)
      .filter((name) => !POLICIES[name]);
    expect(missing).toEqual([]);
  });

  it("refuses a field without a policy (fail closed) for every key, however strong", async () => {
    const admin = Principal.ofKey({ id: "1", name: "root", serverAdmin: true }, { id: "1", name: "k", projectId: "1", maxRole: null }, new Map());
    const lookup = new ProjectLookup(null as never);
    await expect(authorizeField("Query.newThing", undefined, admin, {}, lookup)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(authorizeField("Query.newThing", undefined, Principal.anonymous(), {}, lookup)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});

describe("another project's ids in every argument of every operation", () => {
  let server: TestServer;
  let schema: GraphQLSchema;
  let mallory: string;
  /** The victim project's things, by what an argument names. */
  const victim: Partial<Record<RefKind | "apiKey", string>> = {};

  beforeAll(async () => {
    schema = await getSchema();
    server = await startTestServer({ auth: "on" });
    const admin = server.as(server.adminKey);
    const project = async (name: string) => (await admin.ok(`mutation($n: String!) { createProject(name: $n) { id } }`, { n: name })).createProject.id;
    victim[RefKind.Project] = await project("victim");
    await project("attacker");
    victim[RefKind.ProjectName] = "victim";
    const key = async (user: string, projectName: string, role: string, extra: Record<string, unknown> = {}) => {
      const projectId = (await admin.ok(`{ viewer { projects { project { id name } } } }`)).viewer.projects.find((p: any) => p.project.name === projectName).project.id;
      await admin.ok(`mutation($p: ID!, $u: String!, $r: ProjectRole!) { addMember(projectId: $p, user: $u, role: $r) { role } }`, { p: projectId, u: user, r: role });
      return (await admin.ok(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }`, { i: { name: user, user, ...extra } })).createApiKey;
    };
    const owner = await key("victor", "victim", "ADMIN");
    victim.apiKey = owner.apiKey.id;
    // The attacker administers a project of its own: the strongest role short of server admin.
    mallory = (await key("mallory", "attacker", "ADMIN")).key;

    const v = server.as(owner.key);
    victim[RefKind.Study] = (
      await v.ok(`mutation { createStudy(input: { name: "secret-study", project: "victim", searchSpace: [{ name: "x", type: FLOAT, low: 0, high: 1 }] }) { id } }`)
    ).createStudy.id;
    victim[RefKind.Search] = (
      await v.ok(`mutation($s: ID!) { startSearch(input: { studyId: $s, nTrials: 3, task: { trainer: "command", argv: ["true"] } }) { id } }`, { s: victim.study })
    ).startSearch.id;
    victim[RefKind.Executor] = (await v.ok(`mutation { registerExecutor(input: { host: "victim-gpu", device: "gpu:0", backend: "process" }) { id } }`)).registerExecutor.id;
    victim[RefKind.Trial] = (await v.ok(`mutation($e: ID!) { claimTrial(executorId: $e) { trial { id } } }`, { e: victim.executor })).claimTrial.trial.id;
    await v.ok(`mutation($t: ID!) { reportMetrics(trialId: $t, points: [{ step: 0, value: 1 }]) { shouldPrune } }`, { t: victim.trial });
  });
  afterAll(() => server.close());

  /** Every row of every table, hashed (api_keys without last_used_at, which the attacker's own key moves). */
  async function databaseChecksum(): Promise<string> {
    const tables = await server.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const select = table_name === "api_keys" ? `SELECT id, user_id, name, secret_hash, project_id, max_role, revoked_at FROM api_keys` : `SELECT * FROM "${table_name}"`;
      const [row] = await server.db.query<{ n: string; sum: string | null }>(`SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY t::text)) AS sum FROM (${select}) t`);
      parts.push(`${table_name}:${row.n}:${row.sum}`);
    }
    return parts.join("\n");
  }

  function refFor(field: string, arg: string): string | undefined {
    if (arg === "id") {
      const policy = POLICIES[field];
      const kind = policy?.kind === "project" ? policy.id : undefined;
      return kind ? victim[kind] : field === "Mutation.revokeApiKey" ? victim.apiKey : undefined;
    }
    const kind = REF_ARGUMENTS[arg];
    return kind ? victim[kind] : undefined;
  }

  /** A value for an argument: the victim's id where it names something, else a plausible filler. */
  function valueFor(field: string, name: string, type: GraphQLInputType, required: boolean): unknown {
    const ref = refFor(field, name);
    const inner = getNullableType(type);
    if (ref !== undefined) return isListType(inner) ? [ref] : ref;
    if (!required && !(isInputObjectType(getNamedType(type)) && mentionsRef(getNamedType(type)))) return undefined;
    if (isListType(inner)) {
      const item = valueFor(field, name, inner.ofType, true);
      return item === undefined ? [] : [item];
    }
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      const object: Record<string, unknown> = {};
      for (const f of Object.values(named.getFields())) {
        const value = valueFor(field, f.name, f.type, isNonNullType(f.type));
        if (value !== undefined) object[f.name] = value;
      }
      return object;
    }
    if (isEnumType(named)) return named.getValues()[0].value;
    if (isScalarType(named)) {
      switch (named.name) {
        case "Int":
          return 1;
        case "Float":
          return 0.5;
        case "Boolean":
          return true;
        case "JSON":
          return { note: "x" };
        default:
          return "x";
      }
    }
    return undefined;
  }

  function mentionsRef(type: ReturnType<typeof getNamedType>): boolean {
    return isInputObjectType(type) && Object.keys(type.getFields()).some((name) => name in REF_ARGUMENTS);
  }

  function operationFor({ type, field }: Field): { query: string; variables: Record<string, unknown> } {
    const name = `${type}.${field.name}`;
    const variables: Record<string, unknown> = {};
    const declared: string[] = [];
    const passed: string[] = [];
    field.args.forEach((arg: GraphQLArgument) => {
      const value = valueFor(name, arg.name, arg.type, isNonNullType(arg.type) && arg.defaultValue === undefined);
      if (value === undefined) return;
      variables[arg.name] = value;
      declared.push(`$${arg.name}: ${String(arg.type)}`);
      passed.push(`${arg.name}: $${arg.name}`);
    });
    const selection = isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type)) ? "" : " { __typename }";
    const head = type.toLowerCase() + (declared.length ? `(${declared.join(", ")})` : "");
    return { query: `${head} { ${field.name}${passed.length ? `(${passed.join(", ")})` : ""}${selection} }`, variables };
  }

  it("answers UNAUTHENTICATED to a caller without a key and FORBIDDEN to another project's admin, and changes nothing", async () => {
    const before = await databaseChecksum();
    const outcomes: string[] = [];
    for (const root of rootFields(schema)) {
      if (root.type === "Subscription") continue;
      const name = `${root.type}.${root.field.name}`;
      const { query, variables } = operationFor(root);
      const anonymous = await server.gql(query, variables);
      outcomes.push(`${name} anonymous ${anonymous.errors?.[0]?.extensions?.code ?? "ALLOWED"}`);
      if (CALLER_SCOPED.has(name)) continue;
      const attacker = await server.as(mallory).gql(query, variables);
      outcomes.push(`${name} attacker ${attacker.errors?.[0]?.extensions?.code ?? "ALLOWED"}`);
      expect(JSON.stringify(attacker), name).not.toContain("secret-study");
    }
    const expected = rootFields(schema)
      .filter((r) => r.type !== "Subscription")
      .flatMap((r) => {
        const name = `${r.type}.${r.field.name}`;
        return CALLER_SCOPED.has(name) ? [`${name} anonymous UNAUTHENTICATED`] : [`${name} anonymous UNAUTHENTICATED`, `${name} attacker FORBIDDEN`];
      });
    expect(outcomes).toEqual(expected);
    expect(await databaseChecksum()).toBe(before);
  });

  it("shows another project's studies and executors in no list", async () => {
    const attacker = server.as(mallory);
    const lists = await attacker.ok(`{ studies { totalCount edges { node { id name } } } executors(includeGone: true) { id host } apiKeys(includeRevoked: true) { id userName } viewer { projects { project { name } } } }`);
    expect(lists.studies.totalCount).toBe(0);
    expect(lists.executors).toEqual([]);
    expect(lists.apiKeys.map((k: any) => k.userName)).toEqual(["mallory"]);
    expect(lists.viewer.projects.map((p: any) => p.project.name)).toEqual(["attacker"]);
  });

  it("refuses every subscription: at connection without a key, at subscribe for another project", async () => {
    for (const root of rootFields(schema).filter((r) => r.type === "Subscription")) {
      const { query, variables } = operationFor(root);
      expect(await openLive(server.wsUrl).accepted, root.field.name).toBe(4401);
      const live = openLive(server.wsUrl, { authorization: `Bearer ${mallory}` });
      expect(await live.accepted).toBe("ack");
      live.subscribe("1", query, variables);
      const answer = await live.waitFor("1", (m) => m.type === "error" || !!m.payload?.errors);
      const errors = answer.type === "error" ? answer.payload : answer.payload.errors;
      expect(errors.map((e: any) => e.extensions?.code), root.field.name).toEqual(["FORBIDDEN"]);
      expect(live.messages("1").some((m) => m.payload?.data)).toBe(false);
      live.close();
    }
  });
});
