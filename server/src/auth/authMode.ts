import { isIP } from "node:net";

/** GRAPHTUNE_AUTH: whether callers need API keys. */
export enum AuthMode {
  /** Always. */
  On = "on",
  /** Never; refused on a server that listens beyond loopback. */
  Off = "off",
  /** When the server listens beyond loopback, or once any API key has been made. */
  Auto = "auto",
}

export function parseAuthMode(text: string | undefined): AuthMode {
  const value = (text ?? "").trim().toLowerCase() || AuthMode.Auto;
  if (value === AuthMode.On || value === AuthMode.Off || value === AuthMode.Auto) return value;
  throw new Error(`GRAPHTUNE_AUTH must be on, off or auto (got "${text}").`);
}

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1" || bare === "::ffff:127.0.0.1";
}
