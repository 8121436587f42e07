import { afterAll, beforeAll, expect, it } from "vitest";
import { Graphtune } from "../../client-sdk/src";
import { startTestServer, type TestServer } from "../helpers/testServer";

// Study names are unique per project: finding one by name says which project to look in.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it("finds a study by name in the project named, and in the default project otherwise", async () => {
  await server.ok(`mutation { createProject(name: "vision") { id } }`);
  const gt = new Graphtune({ url: server.url });
  const inVision = await gt.createStudy({ name: "resnet", project: "vision" });
  const inDefault = await gt.createStudy({ name: "resnet" });
  expect(inVision.id).not.toBe(inDefault.id);
  const byName = `query($name: String, $project: String) { study(name: $name, project: $project) { id } }`;
  expect((await server.ok(byName, { name: "resnet" })).study.id).toBe(inDefault.id);
  expect((await server.ok(byName, { name: "resnet", project: "vision" })).study.id).toBe(inVision.id);
  expect((await server.ok(byName, { name: "resnet", project: "nowhere" })).study).toBeNull();
  expect((await gt.loadStudy({ name: "resnet", project: "vision" })).id).toBe(inVision.id);
  // loadIfExists finds the study in its own project.
  expect((await gt.createStudy({ name: "resnet", project: "vision", loadIfExists: true })).id).toBe(inVision.id);
  await gt.close();
});
