import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
const keys: Record<string, string> = {};
const studies: Record<string, string> = {};

const CREATE_STUDY = `mutation($name: String!, $project: String) { createStudy(input: { name: $name, project: $project }) { id } }`;
const COMPARE = `query($filter: StudyFilter) { compareStudies(filter: $filter) { totalCount entries { study { name } } } }`;

function code(body: { errors?: Array<{ extensions?: { code?: string } }> }): string | undefined {
  return body.errors?.[0]?.extensions?.code;
}

beforeAll(async () => {
  server = await startTestServer({ auth: "on" });
  const admin = server.as(server.adminKey);
  const addMember = `mutation($p: ID!, $u: String!, $r: ProjectRole!) { addMember(projectId: $p, user: $u, role: $r) { role } }`;
  for (const project of ["vision", "speech"]) {
    const { createProject } = await admin.ok(`mutation($n: String!) { createProject(name: $n) { id } }`, { n: project });
    studies[project] = (await admin.ok(CREATE_STUDY, { name: `${project}-study`, project })).createStudy.id;
    if (project === "vision") {
      await admin.ok(addMember, { p: createProject.id, u: "alice", r: "MEMBER" });
      await admin.ok(addMember, { p: createProject.id, u: "reader", r: "VIEWER" });
    }
  }
  for (const user of ["alice", "reader"]) {
    keys[user] = (await admin.ok(`mutation($u: String!) { createApiKey(input: { name: "k", user: $u }) { key } }`, { u: user })).createApiKey.key;
  }
});
afterAll(async () => {
  await server?.close();
});

it("compares only studies of projects the caller may view", async () => {
  const alice = server.as(keys.alice);
  const own = (await alice.ok(COMPARE, { filter: { project: "vision" } })).compareStudies;
  expect(own.entries.map((e: any) => e.study.name)).toEqual(["vision-study"]);
  expect(code(await alice.gql(COMPARE, { filter: { project: "speech" } }))).toBe("FORBIDDEN");
  const trials = `query($ids: [ID!]!) { compareTrials(studyIds: $ids) { params } }`;
  expect(code(await alice.gql(trials, { ids: [studies.vision, studies.speech] }))).toBe("FORBIDDEN");
  expect(code(await alice.gql(trials, { ids: [studies.vision] }))).toBeUndefined();
});

it("lets viewers export but not tag, and members import only into their projects", async () => {
  const reader = server.as(keys.reader);
  const { exportStudy } = await reader.ok(`query($id: ID!) { exportStudy(id: $id) }`, { id: studies.vision });
  expect(code(await reader.gql(`query($id: ID!) { exportStudy(id: $id) }`, { id: studies.speech }))).toBe("FORBIDDEN");
  expect(code(await reader.gql(`mutation($id: ID!) { setStudyTags(studyId: $id, tags: ["x"]) { id } }`, { id: studies.vision }))).toBe("FORBIDDEN");

  const alice = server.as(keys.alice);
  const importInto = `mutation($data: String!, $project: String) { importStudy(data: $data, name: "copy", project: $project) { id } }`;
  expect(code(await alice.gql(importInto, { data: exportStudy, project: "speech" }))).toBe("FORBIDDEN");
  expect(code(await alice.gql(importInto, { data: exportStudy, project: "vision" }))).toBeUndefined();
  expect((await alice.ok(COMPARE, { filter: { project: "vision" } })).compareStudies.totalCount).toBe(2);
});
