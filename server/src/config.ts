import path from "node:path";
import { AuthMode, parseAuthMode } from "./auth/authMode";

/** How a server is started; every field has an environment variable and a command-line flag. */
export interface ServerConfig {
  /** PORT / --port; default 4000. */
  port: number;
  /** HOST / --host; default 127.0.0.1 (loopback only). */
  host: string;
  /** DATABASE_URL / --database-url; empty means an embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | null;
  /** GRAPHTUNE_DATA_DIR / --data-dir; where the embedded PostgreSQL keeps its files; default ./.data. */
  dataDir: string;
  /**
   * GRAPHTUNE_EXECUTOR / --executor; the local executor `start` brings up: "cpu" (default),
   * "gpu:N", or "none" (searches then wait for `graphtune worker` processes).
   */
  executor: string;
  /** GRAPHTUNE_LEASE_SECONDS / --lease-seconds; a search trial without a heartbeat this long fails; default 30. */
  leaseSeconds: number;
  /**
   * GRAPHTUNE_AUTH / --auth; on, off or auto (default): auto needs API keys when HOST is not
   * loopback or once any key has been made. off is refused beyond loopback.
   */
  auth: AuthMode;
  /** GRAPHTUNE_INTROSPECTION / --introspection; on (default) or off (production). */
  introspection: boolean;
  /** GRAPHTUNE_RATE_LIMIT / --rate-limit; requests per second per API key, default 200 (bursts of ten times that). */
  rateLimit: number;
}

/** Reads flags (--port 4000 or --port=4000) over environment variables over defaults. */
export function readConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = parseFlags(argv);
  const pick = (flag: string, name: string) => flags[flag] ?? (env[name] || undefined);
  const portText = pick("port", "PORT") ?? "4000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${portText}".`);
  }
  return {
    port,
    host: pick("host", "HOST") ?? "127.0.0.1",
    databaseUrl: pick("database-url", "DATABASE_URL") ?? null,
    dataDir: path.resolve(pick("data-dir", "GRAPHTUNE_DATA_DIR") ?? ".data"),
    executor: pick("executor", "GRAPHTUNE_EXECUTOR") ?? "cpu",
    leaseSeconds: positiveNumber(pick("lease-seconds", "GRAPHTUNE_LEASE_SECONDS") ?? "30", "GRAPHTUNE_LEASE_SECONDS"),
    auth: parseAuthMode(pick("auth", "GRAPHTUNE_AUTH")),
    introspection: onOff(pick("introspection", "GRAPHTUNE_INTROSPECTION") ?? "on", "GRAPHTUNE_INTROSPECTION"),
    rateLimit: positiveNumber(pick("rate-limit", "GRAPHTUNE_RATE_LIMIT") ?? "200", "GRAPHTUNE_RATE_LIMIT"),
  };
}

function onOff(text: string, name: string): boolean {
  const value = text.trim().toLowerCase();
  if (["on", "true", "1"].includes(value)) return true;
  if (["off", "false", "0"].includes(value)) return false;
  throw new Error(`${name} must be on or off, got "${text}".`);
}

function positiveNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}".`);
  return value;
}

export function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[arg.slice(2)] = argv[++i];
    else flags[arg.slice(2)] = "true";
  }
  return flags;
}
