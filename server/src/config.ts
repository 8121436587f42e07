import path from "node:path";

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
  };
}

function parseFlags(argv: string[]): Record<string, string> {
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
