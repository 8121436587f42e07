import type { Role } from "./roles";

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface UserRecord {
  id: string;
  name: string;
  serverAdmin: boolean;
  createdAt: Date;
}

export interface MembershipRecord {
  project: ProjectRecord;
  user: UserRecord;
  role: Role;
}

/** A key as lists show it: everything but the secret, which is never stored. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  userId: string;
  userName: string;
  projectId: string | null;
  maxRole: Role | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const KEY_COLUMNS = `k.id, k.name, k.user_id, u.name AS user_name, k.project_id, k.max_role, k.created_at, k.expires_at, k.last_used_at, k.revoked_at`;

export function keyFromRow(row: Record<string, any>): ApiKeyRecord {
  return {
    id: String(row.id),
    name: row.name,
    userId: String(row.user_id),
    userName: row.user_name,
    projectId: row.project_id == null ? null : String(row.project_id),
    maxRole: row.max_role ?? null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function projectFromRow(row: Record<string, any>): ProjectRecord {
  return { id: String(row.id), name: row.name, createdAt: row.created_at };
}

export function userFromRow(row: Record<string, any>): UserRecord {
  return { id: String(row.id), name: row.name, serverAdmin: row.server_admin, createdAt: row.created_at };
}
