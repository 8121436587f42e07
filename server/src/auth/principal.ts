import { atLeast, weaker, type Role } from "./roles";

/** How the caller was identified. */
export enum PrincipalKind {
  /** No key, on a server whose auth is off: admin of every project (one person on a laptop). */
  Local = "LOCAL",
  /** No key, on a server whose auth is on: may do nothing. */
  Anonymous = "ANONYMOUS",
  /** A key that did not verify (malformed, unknown, wrong secret, revoked or expired). */
  Rejected = "REJECTED",
  /** A valid API key. */
  Key = "KEY",
}

export interface PrincipalUser {
  id: string;
  name: string;
  serverAdmin: boolean;
}

export interface PrincipalKey {
  id: string;
  name: string;
  /** The one project the key works in, or null. */
  projectId: string | null;
  /** The strongest role the key acts with, or null for its user's roles. */
  maxRole: Role | null;
}

/**
 * Who is calling and what they may do: the roles of the key's user, narrowed by the key's project
 * and role limits. Built once per request (or per WebSocket connection) and never changed.
 */
export class Principal {
  private constructor(
    readonly kind: PrincipalKind,
    readonly user: PrincipalUser | null,
    readonly key: PrincipalKey | null,
    private readonly memberships: ReadonlyMap<string, Role>,
    /** Why a key was refused (Rejected only); safe to show: it never contains the secret. */
    readonly rejection: string | null,
  ) {}

  static local(): Principal {
    return new Principal(PrincipalKind.Local, null, null, new Map(), null);
  }

  static anonymous(): Principal {
    return new Principal(PrincipalKind.Anonymous, null, null, new Map(), null);
  }

  static rejected(reason: string): Principal {
    return new Principal(PrincipalKind.Rejected, null, null, new Map(), reason);
  }

  static ofKey(user: PrincipalUser, key: PrincipalKey, memberships: ReadonlyMap<string, Role>): Principal {
    return new Principal(PrincipalKind.Key, user, key, memberships, null);
  }

  get authenticated(): boolean {
    return this.kind === PrincipalKind.Local || this.kind === PrincipalKind.Key;
  }

  /** Admin of every project without limits: the local caller, or a server administrator's unlimited key. */
  get unrestrictedAdmin(): boolean {
    if (this.kind === PrincipalKind.Local) return true;
    return this.kind === PrincipalKind.Key && this.user!.serverAdmin && this.key!.projectId === null && this.key!.maxRole === null;
  }

  /** The caller's role in a project, or null when it has none there. */
  roleIn(projectId: string): Role | null {
    if (this.kind === PrincipalKind.Local) return "ADMIN";
    if (this.kind !== PrincipalKind.Key) return null;
    if (this.key!.projectId !== null && this.key!.projectId !== projectId) return null;
    const base: Role | null = this.user!.serverAdmin ? "ADMIN" : (this.memberships.get(projectId) ?? null);
    return base === null ? null : weaker(base, this.key!.maxRole);
  }

  /** The projects where the caller has at least `role`; null means every project. */
  projectsWith(role: Role): string[] | null {
    if (this.kind === PrincipalKind.Local) return null;
    if (this.kind !== PrincipalKind.Key) return [];
    if (this.user!.serverAdmin) {
      if (!atLeast(weaker("ADMIN", this.key!.maxRole), role)) return [];
      return this.key!.projectId === null ? null : [this.key!.projectId];
    }
    return [...this.memberships.keys()].filter((p) => atLeast(this.roleIn(p), role));
  }

  /**
   * Equal for callers with the same rights (the same key and user with the same roles, or the same
   * kind of keyless caller): what they may see and do is the same, so results can be shared.
   */
  get rightsKey(): string {
    const roles = [...this.memberships].map(([project, role]) => `${project}=${role}`).sort();
    return JSON.stringify([this.kind, this.user?.id ?? null, this.user?.serverAdmin ?? null, this.key?.id ?? null, this.key?.projectId ?? null, this.key?.maxRole ?? null, roles]);
  }

  /** The memberships as stored (before the key's limits), for `viewer`. */
  storedMemberships(): ReadonlyMap<string, Role> {
    return this.memberships;
  }
}
