import { createRequire } from "node:module";
import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// SWC, not esbuild: type-graphql and TypeORM need emitted decorator metadata.
export default defineConfig({
  plugins: [swc.vite({ module: { type: "es6" } })],
  resolve: {
    // graphql ships CommonJS and ESM builds; type-graphql loads the CommonJS one, so tests must too,
    // or schema objects from the two copies refuse each other ("from another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // A 2-core CI machine running every suite is slow: a live update can take seconds, not one.
    expect: { poll: { timeout: 10_000 } },
  },
});
