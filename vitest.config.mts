import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

// SWC, not esbuild: type-graphql and TypeORM need emitted decorator metadata.
export default defineConfig({
  plugins: [swc.vite({ module: { type: "es6" } })],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
