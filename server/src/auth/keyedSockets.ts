import type { Authenticator } from "./authenticator";

/** What closing needs of a WebSocket. */
interface Closable {
  close(code: number, reason: string): void;
}

/** 4403, which the SDK maps to FORBIDDEN: the key that opened the connection no longer works. */
export const KEY_REVOKED_CLOSE = 4403;

/**
 * The open WebSocket connections of each API key, so that revoking a key ends its subscriptions:
 * at once when revoked through this server, and within `intervalMs` when revoked through another
 * replica (each open key is checked against the database that often).
 */
export class KeyedSockets {
  private readonly byKey = new Map<string, Set<Closable>>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly auth: Authenticator,
    /** How often open keys are checked against the database; default 5000 ms. */
    private readonly intervalMs = 5000,
  ) {}

  add(keyId: string, socket: Closable): void {
    let sockets = this.byKey.get(keyId);
    if (!sockets) this.byKey.set(keyId, (sockets = new Set()));
    sockets.add(socket);
    if (!this.timer) {
      this.timer = setInterval(() => void this.recheck().catch(() => undefined), this.intervalMs);
      this.timer.unref();
    }
  }

  remove(keyId: string, socket: Closable): void {
    const sockets = this.byKey.get(keyId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.byKey.delete(keyId);
  }

  /** Closes every connection of a key (it was revoked or expired). */
  closeKey(keyId: string): void {
    for (const socket of this.byKey.get(keyId) ?? []) socket.close(KEY_REVOKED_CLOSE, "API key revoked or expired");
    this.byKey.delete(keyId);
  }

  async recheck(): Promise<void> {
    const keys = [...this.byKey.keys()];
    if (!keys.length) return;
    const valid = await this.auth.stillValid(keys);
    for (const key of keys) if (!valid.has(key)) this.closeKey(key);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
