import { afterEach, describe, expect, it, vi } from "vitest";
import type { Device } from "../../../server/src/executors/trainer";

/** A fresh copy of the backend module: it loads tfjs once per process and remembers the result. */
async function freshLoad(device: Device, forced?: string) {
  vi.resetModules();
  if (forced === undefined) delete process.env.GRAPHTUNE_TFJS_BACKEND;
  else process.env.GRAPHTUNE_TFJS_BACKEND = forced;
  const { loadTfjs } = await import("../../../server/src/executors/trainers/tfjs/backend.js");
  const logs: string[] = [];
  const loaded = await loadTfjs(device, (message) => logs.push(message));
  return { ...loaded, logs };
}

const installed = (pkg: string) => {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};

afterEach(() => {
  delete process.env.GRAPHTUNE_TFJS_BACKEND;
});

describe("tfjs backend choice", () => {
  it("takes the best backend present and logs it once", async () => {
    const { tf, backend, logs } = await freshLoad({ kind: "cpu" });
    const expected = installed("@tensorflow/tfjs-node") ? "tensorflow" : "wasm";
    expect(backend).toBe(expected);
    expect(tf.getBackend()).toBe(expected === "tensorflow" ? "tensorflow" : "wasm");
    expect(logs.filter((l) => l.startsWith("tfjs backend:"))).toEqual([`tfjs backend: ${expected}`]);
  });

  it("falls back to the CPU backends for a GPU device without tfjs-node-gpu, saying why", async () => {
    if (installed("@tensorflow/tfjs-node-gpu")) return;
    const { backend, logs } = await freshLoad({ kind: "gpu", index: 0 });
    expect(["tensorflow", "wasm"]).toContain(backend);
    expect(logs.join("\n")).toMatch(/running on the CPU: @tensorflow\/tfjs-node-gpu is not installed/);
  });

  it("obeys GRAPHTUNE_TFJS_BACKEND", async () => {
    const { tf, backend } = await freshLoad({ kind: "cpu" }, "cpu");
    expect(backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    // Training works there too: a tiny step of arithmetic on the plain JavaScript backend.
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });

  it("refuses a forced backend it cannot load, or an unknown one, with what to do", async () => {
    if (!installed("@tensorflow/tfjs-node")) {
      await expect(freshLoad({ kind: "cpu" }, "tensorflow")).rejects.toThrow(
        /GRAPHTUNE_TFJS_BACKEND=tensorflow, but @tensorflow\/tfjs-node is not installed; install it or unset GRAPHTUNE_TFJS_BACKEND/,
      );
    }
    await expect(freshLoad({ kind: "cpu" }, "cuda")).rejects.toThrow(/is not a tfjs backend; use one of tensorflow-gpu, tensorflow, wasm, cpu/);
  });
});
