import { describe, expect, it } from "vitest";
import { readConfig } from "../../server/src/config";

describe("server configuration", () => {
  it("defaults to 127.0.0.1:4000 with an embedded database", () => {
    const c = readConfig([], {});
    expect(c).toMatchObject({ port: 4000, host: "127.0.0.1", databaseUrl: null });
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(readConfig([], { DATABASE_URL: "" }).databaseUrl).toBeNull();
  });

  it("takes flags over environment variables", () => {
    const c = readConfig(["start", "--port", "5000", "--host=0.0.0.0"], { PORT: "6000", HOST: "::1", DATABASE_URL: "postgres://x/y" });
    expect(c).toMatchObject({ port: 5000, host: "0.0.0.0", databaseUrl: "postgres://x/y" });
    expect(readConfig([], { PORT: "6000" }).port).toBe(6000);
  });

  it("refuses a port that is not a port", () => {
    expect(() => readConfig(["--port", "http"], {})).toThrow(/PORT must be an integer/);
  });
});
