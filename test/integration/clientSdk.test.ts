import { afterAll, beforeAll, expect, it } from "vitest";
import { GraphtuneClient, GraphtuneError } from "../../client-sdk/src";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it("sends operations and throws the server's error code and field", async () => {
  const client = new GraphtuneClient({ url: server.url });
  const data = await client.request<{ createStudy: { name: string } }>(
    `mutation($input: CreateStudyInput!) { createStudy(input: $input) { name } }`,
    { input: { name: "from-the-sdk" } },
  );
  expect(data.createStudy.name).toBe("from-the-sdk");
  const failure = await client
    .request(`mutation { createStudy(input: { name: "x", searchSpace: [{ name: "a", type: FLOAT, low: 1, high: 0 }] }) { id } }`)
    .catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(GraphtuneError);
  expect(failure).toMatchObject({ code: "BAD_USER_INPUT", field: "input.searchSpace[0].low" });
});
