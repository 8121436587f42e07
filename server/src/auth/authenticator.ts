import type { Database } from "../db/database";
import type { AccessService } from "./accessService";
import { keyDigest, parseKey, verifySecret } from "./apiKeySecret";
import { AuthMode } from "./authMode";
import { Principal } from "./principal";
import type { Role } from "./roles";

export interface AuthenticatorOptions {
  /** GRAPHTUNE_AUTH; default auto. */
  mode?: AuthMode;
  /** Whether the server listens beyond loopback (auth is then on in auto mode); default false. */
  exposed?: boolean;
  /**
   * How long a verified key is trusted without asking the database again, in ms; default 5000.
   * A key revoked on another replica stops working within this time (at once on this one).
   */
  cacheTtlMs?: number;
  /** last_used_at is written at most this often per key, in ms; default 60000. */
  lastUsedIntervalMs?: number;
}

const MALFORMED = "the API key is malformed: keys look like gt_<id>_<secret>; copy it whole from createApiKey or create-admin-key.";
const UNKNOWN = "the API key is unknown or its secret is wrong; check it, or ask an admin for a new one.";

/**
 * Turns the key a caller sent into a Principal. Verifying a secret costs a slow hash, so a
 * verified key is remembered (by a digest of it, never the key) for a few seconds.
 */
export class Authenticator {
  readonly mode: AuthMode;
  private exposed: boolean;
  private readonly ttlMs: number;
  private readonly lastUsedMs: number;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();
  private keysSeen: { value: boolean; until: number } = { value: false, until: 0 };

  constructor(
    private readonly db: Database,
    access: AccessService,
    options: AuthenticatorOptions = {},
  ) {
    this.mode = options.mode ?? AuthMode.Auto;
    this.exposed = options.exposed ?? false;
    this.ttlMs = options.cacheTtlMs ?? 5000;
    this.lastUsedMs = options.lastUsedIntervalMs ?? 60_000;
    access.onChange(({ keyCreated }) => {
      // Memberships and revocations change what cached principals may do: forget them all.
      this.verified.clear();
      if (keyCreated) this.keysSeen = { value: true, until: Number.POSITIVE_INFINITY };
    });
  }

  /** The server listens beyond loopback: callers without a key are refused from now on, whatever the mode. */
  markExposed(): void {
    this.exposed = true;
  }

  /** Whether a caller without a key is refused now. */
  async enforced(): Promise<boolean> {
    if (this.mode === AuthMode.On || this.exposed) return true;
    if (this.mode === AuthMode.Off) return false;
    if (this.keysSeen.value || Date.now() < this.keysSeen.until) return this.keysSeen.value;
    const [row] = await this.db.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.name NOT LIKE 'graphtune:%') AS found`,
    );
    this.keysSeen = { value: row.found, until: row.found ? Number.POSITIVE_INFINITY : Date.now() + this.ttlMs };
    return row.found;
  }

  /** The caller behind a key (undefined: none sent). A bad key is Rejected even where auth is off. */
  async authenticate(key: string | undefined): Promise<Principal> {
    if (key === undefined) return (await this.enforced()) ? Principal.anonymous() : Principal.local();
    const digest = keyDigest(key);
    const cached = this.verified.get(digest);
    if (cached && cached.until > Date.now()) return cached.principal;
    const parsed = parseKey(key);
    if (!parsed) return Principal.rejected(MALFORMED);
    const [row] = await this.db.query<Record<string, any>>(
      `SELECT k.id, k.name, k.secret_hash, k.project_id, k.max_role, k.revoked_at, k.last_used_at,
              (k.expires_at IS NOT NULL AND k.expires_at <= now()) AS expired,
              u.id AS user_id, u.name AS user_name, u.server_admin,
              coalesce((SELECT json_object_agg(m.project_id::text, m.role) FROM memberships m WHERE m.user_id = u.id), '{}') AS roles
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`,
      [parsed.id],
    );
    if (!row || !(await verifySecret(parsed.secret, row.secret_hash))) return Principal.rejected(UNKNOWN);
    if (row.revoked_at) return Principal.rejected(`API key ${row.id} was revoked; ask an admin for a new one.`);
    if (row.expired) return Principal.rejected(`API key ${row.id} has expired; ask an admin for a new one.`);
    const principal = Principal.ofKey(
      { id: String(row.user_id), name: row.user_name, serverAdmin: row.server_admin },
      { id: String(row.id), name: row.name, projectId: row.project_id == null ? null : String(row.project_id), maxRole: row.max_role ?? null },
      new Map(Object.entries(row.roles as Record<string, Role>)),
    );
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(digest, { principal, until: Date.now() + this.ttlMs });
    this.noteUse(principal.key!.id, row.last_used_at);
    return principal;
  }

  /** Which of these keys still work (not revoked, not expired): open subscriptions re-check with it. */
  async stillValid(keyIds: readonly string[]): Promise<Set<string>> {
    if (!keyIds.length) return new Set();
    const rows = await this.db.query<{ id: string }>(
      `SELECT id::text FROM api_keys WHERE id = ANY($1::bigint[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [keyIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Writes last_used_at when it is older than the interval; a failed write only delays the next. */
  private noteUse(keyId: string, lastUsedAt: Date | null): void {
    const now = Date.now();
    const last = Math.max(lastUsedAt?.getTime() ?? 0, this.lastUsedWritten.get(keyId) ?? 0);
    if (now - last < this.lastUsedMs) return;
    this.lastUsedWritten.set(keyId, now);
    this.db
      .queryAsyncCommit(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [keyId])
      .catch(() => this.lastUsedWritten.delete(keyId));
  }
}
