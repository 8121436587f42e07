import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";
import { openLive } from "./authLive";

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name userName projectId maxRole } } }`;
const CREATE_STUDY = `mutation($name: String!, $project: String) { createStudy(input: { name: $name, project: $project, searchSpace: [{ name: "x", type: FLOAT, low: 0, high: 1 }] }) { id } }`;
const VIEWER = `{ viewer { authEnabled user { name serverAdmin } apiKey { id maxRole projectId } projects { project { name } role } } }`;

function codes(body: { errors?: Array<{ extensions?: { code?: string } }> }): Array<string | undefined> {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}

describe("zero configuration on loopback", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("lets a caller without a key act as admin until the first key exists, then needs keys", async () => {
    await server.ok(CREATE_STUDY, { name: "before-keys" });
    expect((await server.ok(VIEWER)).viewer).toMatchObject({ authEnabled: false, user: null, projects: [{ project: { name: "default" }, role: "ADMIN" }] });

    const { createApiKey } = await server.ok(CREATE_KEY, { input: { name: "laptop" } });
    expect(createApiKey.key).toMatch(/^gt_\d+_[A-Za-z0-9_-]{43}$/);
    expect(createApiKey.apiKey).toMatchObject({ name: "laptop", userName: "admin" });

    const anonymous = await server.gql(`{ studies { totalCount } }`);
    expect(codes(anonymous)).toEqual(["UNAUTHENTICATED"]);
    expect(anonymous.errors![0].message).toContain("authorization: Bearer");
    expect(anonymous.data ?? null).toBeNull();

    const admin = server.as(createApiKey.key);
    expect((await admin.ok(`{ studies { totalCount } }`)).studies.totalCount).toBe(1);
    expect((await admin.ok(VIEWER)).viewer).toMatchObject({ authEnabled: true, user: { name: "admin", serverAdmin: true } });
  });
});

describe("projects, roles and keys (auth on)", () => {
  let server: TestServer;
  let admin: ReturnType<TestServer["as"]>;
  const keys: Record<string, string> = {};
  const projects: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ auth: "on" });
    admin = server.as(server.adminKey);
    for (const name of ["vision", "speech"]) projects[name] = (await admin.ok(`mutation($n: String!) { createProject(name: $n) { id } }`, { n: name })).createProject.id;
    const members: Array<[string, string, string]> = [
      ["alice", "vision", "MEMBER"],
      ["bob", "vision", "VIEWER"],
      ["carol", "speech", "MEMBER"],
      ["dora", "vision", "ADMIN"],
    ];
    for (const [user, project, role] of members) {
      await admin.ok(`mutation($p: ID!, $u: String!, $r: ProjectRole!) { addMember(projectId: $p, user: $u, role: $r) { role } }`, {
        p: projects[project],
        u: user,
        r: role,
      });
      keys[user] = (await admin.ok(CREATE_KEY, { input: { name: `${user}'s laptop`, user } })).createApiKey.key;
    }
  });
  afterAll(() => server.close());

  it("refuses callers without a key, and with a malformed or wrong one, as UNAUTHENTICATED", async () => {
    expect(codes(await server.gql(`{ studies { totalCount } }`))).toEqual(["UNAUTHENTICATED"]);
    const malformed = await server.as("not-a-key").gql(`{ studies { totalCount } }`);
    expect(codes(malformed)).toEqual(["UNAUTHENTICATED"]);
    expect(malformed.errors![0].message).toContain("malformed");
    const wrongSecret = keys.alice.slice(0, -4) + "AAAA";
    expect(codes(await server.as(wrongSecret).gql(`{ studies { totalCount } }`))).toEqual(["UNAUTHENTICATED"]);
  });

  it("lets members work in their project, viewers read it, and nobody else see it", async () => {
    const alice = server.as(keys.alice);
    const study = (await alice.ok(CREATE_STUDY, { name: "resnet", project: "vision" })).createStudy.id;
    const trial = (await alice.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: study })).askTrial.id;

    const bob = server.as(keys.bob);
    expect((await bob.ok(`query($id: ID!) { study(id: $id) { name } }`, { id: study })).study.name).toBe("resnet");
    expect(codes(await bob.gql(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: study }))).toEqual(["FORBIDDEN"]);
    expect(codes(await bob.gql(`mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [1]) { id } }`, { t: trial }))).toEqual([
      "FORBIDDEN",
    ]);

    const carol = server.as(keys.carol);
    const denied = await carol.gql(`query($id: ID!) { study(id: $id) { name } }`, { id: study });
    expect(codes(denied)).toEqual(["FORBIDDEN"]);
    expect(JSON.stringify(denied)).not.toContain("resnet");
    expect(codes(await carol.gql(CREATE_STUDY, { name: "sneaky", project: "vision" }))).toEqual(["FORBIDDEN"]);
    await carol.ok(CREATE_STUDY, { name: "wav2vec", project: "speech" });
    const carolSees = await carol.ok(`{ studies { totalCount edges { node { name } } } }`);
    expect(carolSees.studies.edges.map((e: any) => e.node.name)).toEqual(["wav2vec"]);
    const bobSees = await bob.ok(`{ studies { edges { node { name } } } }`);
    expect(bobSees.studies.edges.map((e: any) => e.node.name)).toEqual(["resnet"]);

    // Deleting is for admins of the project.
    expect(codes(await alice.gql(`mutation($id: ID!) { deleteStudy(id: $id) }`, { id: study }))).toEqual(["FORBIDDEN"]);
    expect((await server.as(keys.dora).ok(`query($id: ID!) { study(id: $id) { id } }`, { id: study })).study.id).toBe(study);
  });

  it("tells callers who they are", async () => {
    const viewer = (await server.as(keys.bob).ok(VIEWER)).viewer;
    expect(viewer).toMatchObject({ authEnabled: true, user: { name: "bob", serverAdmin: false }, projects: [{ project: { name: "vision" }, role: "VIEWER" }] });
  });

  it("lets project admins manage members, and nobody else", async () => {
    const dora = server.as(keys.dora);
    const add = `mutation($p: ID!, $u: String!, $r: ProjectRole!) { addMember(projectId: $p, user: $u, role: $r) { user { name } role } }`;
    expect((await dora.ok(add, { p: projects.vision, u: "erin", r: "VIEWER" })).addMember).toEqual({ user: { name: "erin" }, role: "VIEWER" });
    expect(codes(await dora.gql(add, { p: projects.speech, u: "erin", r: "ADMIN" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await server.as(keys.alice).gql(add, { p: projects.vision, u: "alice", r: "ADMIN" }))).toEqual(["FORBIDDEN"]);
    expect(codes(await dora.gql(`mutation { createProject(name: "dora's own") { id } }`))).toEqual(["FORBIDDEN"]);
    const members = (await dora.ok(`query($p: ID!) { projectMembers(projectId: $p) { user { name } role } }`, { p: projects.vision })).projectMembers;
    expect(members.map((m: any) => `${m.user.name}:${m.role}`)).toEqual(["alice:MEMBER", "bob:VIEWER", "dora:ADMIN", "erin:VIEWER"]);
    expect((await dora.ok(`mutation($p: ID!) { removeMember(projectId: $p, user: "erin") }`, { p: projects.vision })).removeMember).toBe(true);
  });

  it("stores only a slow salted hash of each secret and never lists a secret", async () => {
    const made = (await admin.ok(CREATE_KEY, { input: { name: "hash check" } })).createApiKey;
    const secret = made.key.split("_").slice(2).join("_");
    const [row] = await server.db.query<{ secret_hash: string }>(`SELECT secret_hash FROM api_keys WHERE id = $1`, [made.apiKey.id]);
    expect(row.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(row.secret_hash).not.toContain(secret);
    const listed = await admin.gql(`{ apiKeys(includeRevoked: true) { id name lastUsedAt revokedAt } }`);
    expect(JSON.stringify(listed)).not.toContain(secret);
    // The API has no field that could carry a secret back.
    expect(codes(await admin.gql(`{ apiKeys { secret } }`))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("records when a key was last used", async () => {
    const made = (await admin.ok(CREATE_KEY, { input: { name: "last used" } })).createApiKey;
    await server.as(made.key).ok(`{ viewer { authEnabled } }`);
    await expect
      .poll(async () => (await admin.ok(`{ apiKeys { id lastUsedAt } }`)).apiKeys.find((k: any) => k.id === made.apiKey.id).lastUsedAt)
      .not.toBeNull();
  });

  it("stops a revoked key at once, and an expired one", async () => {
    const made = (await admin.ok(CREATE_KEY, { input: { name: "short-lived", user: "alice" } })).createApiKey;
    const holder = server.as(made.key);
    await holder.ok(`{ viewer { authEnabled } }`);
    // Only the key's user, a server admin or its project's admin may revoke it.
    expect(codes(await server.as(keys.carol).gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: made.apiKey.id }))).toEqual(["FORBIDDEN"]);
    await server.as(keys.alice).ok(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: made.apiKey.id });
    const refused = await holder.gql(`{ viewer { authEnabled } }`);
    expect(codes(refused)).toEqual(["UNAUTHENTICATED"]);
    expect(refused.errors![0].message).toContain("revoked");

    const expiring = (await admin.ok(CREATE_KEY, { input: { name: "expiring", expiresInDays: 1 } })).createApiKey;
    await server.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.apiKey.id]);
    const expired = await server.as(expiring.key).gql(`{ viewer { authEnabled } }`);
    expect(codes(expired)).toEqual(["UNAUTHENTICATED"]);
    expect(expired.errors![0].message).toContain("expired");
  });

  it("never lets a key make a stronger key", async () => {
    const executorKey = (await server.as(keys.alice).ok(CREATE_KEY, { input: { name: "gpu", projectId: projects.vision, role: "EXECUTOR" } })).createApiKey;
    expect(executorKey.apiKey).toMatchObject({ userName: "alice", projectId: projects.vision, maxRole: "EXECUTOR" });
    const child = (await server.as(executorKey.key).ok(CREATE_KEY, { input: { name: "child", role: "ADMIN" } })).createApiKey;
    expect(child.apiKey).toMatchObject({ projectId: projects.vision, maxRole: "EXECUTOR" });
    expect(codes(await server.as(executorKey.key).gql(CREATE_KEY, { input: { name: "elsewhere", projectId: projects.speech } }))).toEqual(["FORBIDDEN"]);
    // A member may not make keys for others; a project admin may, limited to the project.
    expect(codes(await server.as(keys.alice).gql(CREATE_KEY, { input: { name: "for bob", user: "bob" } }))).toEqual(["FORBIDDEN"]);
    const forBob = (await server.as(keys.dora).ok(CREATE_KEY, { input: { name: "for bob", user: "bob", projectId: projects.vision } })).createApiKey;
    expect(forBob.apiKey).toMatchObject({ userName: "bob", projectId: projects.vision });
    expect(codes(await server.as(keys.dora).gql(CREATE_KEY, { input: { name: "for carol", user: "carol", projectId: projects.vision } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
  });

  it("lets executor keys run only their projects' search trials", async () => {
    const alice = server.as(keys.alice);
    const carol = server.as(keys.carol);
    const studyA = (await alice.ok(CREATE_STUDY, { name: "search-a", project: "vision" })).createStudy.id;
    const studyB = (await carol.ok(CREATE_STUDY, { name: "search-b", project: "speech" })).createStudy.id;
    const task = { trainer: "command", argv: ["true"] };
    const searchB = (await carol.ok(`mutation($s: ID!, $t: JSON!) { startSearch(input: { studyId: $s, nTrials: 1, task: $t }) { id } }`, { s: studyB, t: task })).startSearch.id;
    const searchA = (await alice.ok(`mutation($s: ID!, $t: JSON!) { startSearch(input: { studyId: $s, nTrials: 1, task: $t }) { id } }`, { s: studyA, t: task })).startSearch.id;
    const loose = (await alice.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: studyA })).askTrial.id;

    const gpuKey = (await server.as(keys.dora).ok(CREATE_KEY, { input: { name: "gpu-1", projectId: projects.vision, role: "EXECUTOR" } })).createApiKey.key;
    const gpu = server.as(gpuKey);
    const executor = (await gpu.ok(`mutation { registerExecutor(input: { host: "gpu-1", device: "gpu:0", backend: "process" }) { id } }`)).registerExecutor.id;
    const claim = (await gpu.ok(`mutation($e: ID!) { claimTrial(executorId: $e) { search { id } trial { id } } }`, { e: executor })).claimTrial;
    expect(claim.search.id).toBe(searchA);
    expect((await gpu.ok(`mutation($e: ID!) { claimTrial(executorId: $e) { search { id } } }`, { e: executor })).claimTrial).toBeNull();
    void searchB;

    const report = `mutation($t: ID!) { reportMetrics(trialId: $t, points: [{ step: 0, value: 0.5 }]) { shouldPrune } }`;
    await gpu.ok(report, { t: claim.trial.id });
    expect(codes(await gpu.gql(report, { t: loose }))).toEqual(["FORBIDDEN"]);
    expect(codes(await gpu.gql(`mutation($s: ID!) { askTrial(studyId: $s) { id } }`, { s: studyA }))).toEqual(["FORBIDDEN"]);
    // Another project's member cannot drive this executor.
    expect(codes(await carol.gql(`mutation($e: ID!) { unregisterExecutor(id: $e) { id } }`, { e: executor }))).toEqual(["FORBIDDEN"]);
    await gpu.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [0.5]) { state } }`, { t: claim.trial.id });
    // Executors of one project are not listed to another.
    expect((await carol.ok(`{ executors { id } }`)).executors).toEqual([]);
    expect((await server.as(keys.bob).ok(`{ executors { id } }`)).executors).toEqual([{ id: executor }]);
  });

  describe("live streams", () => {
    it("refuses a connection without a key (4401) and with a bad one", async () => {
      expect(await openLive(server.wsUrl).accepted).toBe(4401);
      expect(await openLive(server.wsUrl, { authorization: "Bearer gt_1_" + "A".repeat(43) }).accepted).toBe(4401);
    });

    it("checks each subscription against the caller's projects, and ends a revoked key's streams", async () => {
      const study = (await server.as(keys.alice).ok(CREATE_STUDY, { name: "live", project: "vision" })).createStudy.id;
      const carol = openLive(server.wsUrl, { authorization: `Bearer ${keys.carol}` });
      expect(await carol.accepted).toBe("ack");
      carol.subscribe("1", `subscription($s: ID!) { studyProgress(studyId: $s) { counts { total } } }`, { s: study });
      const refused = await carol.waitFor("1", (m) => m.type === "error" || !!m.payload?.errors);
      const errors = refused.type === "error" ? refused.payload : refused.payload.errors;
      expect(errors.map((e: any) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
      carol.close();

      const bobKey = (await admin.ok(CREATE_KEY, { input: { name: "bob's dashboard", user: "bob" } })).createApiKey;
      const bob = openLive(server.wsUrl, { authorization: `Bearer ${bobKey.key}` });
      expect(await bob.accepted).toBe("ack");
      bob.subscribe("1", `subscription($s: ID!) { studyProgress(studyId: $s) { counts { total } } }`, { s: study });
      await bob.waitFor("1", (m) => m.type === "next" && m.payload?.data?.studyProgress.counts.total === 0);
      await server.as(keys.bob).ok(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: bobKey.apiKey.id });
      expect(await bob.closed).toBe(4403);
    });
  });
});
