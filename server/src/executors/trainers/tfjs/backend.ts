import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Device } from "../../trainer";

/** The tfjs namespace; modules take it as an argument so that only `loadTfjs` loads tfjs. */
export type Tf = typeof import("@tensorflow/tfjs");

/** What runs the tensors: TensorFlow's C library on a GPU or the CPU, WebAssembly, or plain JavaScript. */
export const TFJS_BACKENDS = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];

export interface LoadedTfjs {
  tf: Tf;
  backend: TfjsBackendName;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

/** Set by the user to force one backend instead of the best one present. */
export const BACKEND_ENV = "GRAPHTUNE_TFJS_BACKEND";

let loaded: Promise<LoadedTfjs> | null = null;
let loadedFor: Device | null = null;

/**
 * Loads tfjs with the best backend present, once per process: tfjs-node-gpu when it is installed
 * and the device is a visible GPU, else tfjs-node, else @tensorflow/tfjs-backend-wasm, else plain
 * tfjs ("cpu"). GRAPHTUNE_TFJS_BACKEND (tensorflow-gpu | tensorflow | wasm | cpu) forces one and
 * fails when it cannot load. Later calls get the first call's backend (TensorFlow binds its
 * devices when it loads); a different device is logged and ignored.
 */
export function loadTfjs(device: Device, log: Log = () => undefined): Promise<LoadedTfjs> {
  if (loaded) {
    if (loadedFor && JSON.stringify(loadedFor) !== JSON.stringify(device)) {
      log("tfjs is already loaded for another device in this process; keeping it", { loadedFor, asked: device });
    }
    return loaded;
  }
  loadedFor = device;
  loaded = chooseBackend(device, log).then((result) => {
    log(`tfjs backend: ${result.backend}`, { backend: result.backend, device: device.kind === "gpu" ? `gpu:${device.index}` : "cpu" });
    return result;
  });
  loaded.catch(() => {
    loaded = null;
    loadedFor = null;
  });
  return loaded;
}

async function chooseBackend(device: Device, log: Log): Promise<LoadedTfjs> {
  const forced = process.env[BACKEND_ENV]?.trim();
  if (forced) {
    if (!(TFJS_BACKENDS as readonly string[]).includes(forced)) {
      throw new Error(`${BACKEND_ENV}=${forced} is not a tfjs backend; use one of ${TFJS_BACKENDS.join(", ")}, or unset it to pick the best one present.`);
    }
    const result = await tryBackend(forced as TfjsBackendName, device);
    if (typeof result === "string") throw new Error(`${BACKEND_ENV}=${forced}, but ${result}; install it or unset ${BACKEND_ENV}.`);
    return result;
  }
  const order: TfjsBackendName[] = device.kind === "gpu" ? ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] : ["tensorflow", "wasm", "cpu"];
  for (const name of order) {
    const result = await tryBackend(name, device);
    if (typeof result !== "string") return result;
    if (!result.includes("is not installed")) log(`tfjs backend ${name} is unavailable: ${result}`);
    else if (name === "tensorflow-gpu") log(`running on the CPU: ${result}`);
  }
  throw new Error("no tfjs backend could be loaded");
}

/** The loaded backend, or why it cannot load. */
async function tryBackend(name: TfjsBackendName, device: Device): Promise<LoadedTfjs | string> {
  switch (name) {
    case "tensorflow-gpu": {
      if (!isInstalled("@tensorflow/tfjs-node-gpu")) return "@tensorflow/tfjs-node-gpu is not installed";
      const index = device.kind === "gpu" ? device.index : 0;
      const physical = physicalGpu(index);
      if (physical === null || (/^\d+$/.test(physical) && !existsSync(`/dev/nvidia${physical}`))) return `no NVIDIA GPU ${index} is visible to this process`;
      // TensorFlow reads CUDA_VISIBLE_DEVICES once, when its library loads: pin the one GPU first.
      process.env.CUDA_VISIBLE_DEVICES = physical;
      const tf = await loadNodeBinding("@tensorflow/tfjs-node-gpu");
      if (typeof tf === "string") return tf;
      const usesGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      return usesGpu === false ? "TensorFlow found no usable GPU (check the CUDA and cuDNN libraries)" : { tf, backend: "tensorflow-gpu" };
    }
    case "tensorflow": {
      if (isInstalled("@tensorflow/tfjs-node")) {
        const tf = await loadNodeBinding("@tensorflow/tfjs-node");
        return typeof tf === "string" ? tf : { tf, backend: "tensorflow" };
      }
      // The GPU build runs on the CPU too when it sees no GPU.
      if (isInstalled("@tensorflow/tfjs-node-gpu")) {
        process.env.CUDA_VISIBLE_DEVICES = "";
        const tf = await loadNodeBinding("@tensorflow/tfjs-node-gpu");
        return typeof tf === "string" ? tf : { tf, backend: "tensorflow" };
      }
      return "@tensorflow/tfjs-node is not installed";
    }
    case "wasm": {
      if (!isInstalled("@tensorflow/tfjs-backend-wasm")) return "@tensorflow/tfjs-backend-wasm is not installed";
      const tf: Tf = require("@tensorflow/tfjs");
      const wasm: typeof import("@tensorflow/tfjs-backend-wasm") = require("@tensorflow/tfjs-backend-wasm");
      // In Node the .wasm files are read from disk: point the backend at its package's dist folder.
      const dist = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
      wasm.setWasmPaths(dist + path.sep);
      try {
        if (!(await tf.setBackend("wasm"))) return "the wasm backend did not initialise";
      } catch (error) {
        return `the wasm backend did not initialise: ${(error as Error).message}`;
      }
      return { tf, backend: "wasm" };
    }
    case "cpu": {
      const tf: Tf = require("@tensorflow/tfjs");
      await tf.setBackend("cpu");
      return { tf, backend: "cpu" };
    }
  }
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** tfjs-node(-gpu) may be present but broken (its install downloads libtensorflow, which can fail). */
async function loadNodeBinding(pkg: string): Promise<Tf | string> {
  try {
    const tf: Tf = require(pkg);
    await tf.setBackend("tensorflow");
    return tf;
  } catch (error) {
    return `${pkg} does not load (${(error as Error).message.split("\n")[0]}); reinstall it with internet access`;
  }
}

/** The physical GPU behind index N, through any CUDA_VISIBLE_DEVICES the user set; null when there is none. */
function physicalGpu(index: number): string | null {
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined && visible.trim() !== "") return visible.split(",")[index]?.trim() ?? null;
  if (visible !== undefined) return null;
  const gpus = existsSync("/proc/driver/nvidia/gpus") ? readdirSync("/proc/driver/nvidia/gpus").length : 0;
  return index < Math.max(gpus, existsSync(`/dev/nvidia${index}`) ? index + 1 : 0) ? String(index) : null;
}
