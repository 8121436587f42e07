import type { Database } from "../db/database";
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { isValidId } from "../studies/ids";
import { checkName } from "../studies/inputChecks";
import { KEY_COLUMNS, keyFromRow, projectFromRow, userFromRow, type ApiKeyRecord, type MembershipRecord, type ProjectRecord, type UserRecord } from "./accessRecords";
import { hashSecret, newKeySecret } from "./apiKeySecret";
import type { Principal } from "./principal";
import { atLeast, weaker, type Role } from "./roles";

/** The user the server's own local executor acts as; the colon keeps the API from ever creating it. */
export const LOCAL_EXECUTOR_USER = "graphtune:local-executor";
/** The server administrator made at first start or by `graphtune create-admin-key`. */
export const FIRST_ADMIN_USER = "admin";

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/** A change to access: a key made or revoked, a membership changed. */
export interface AccessChange {
  revokedKeyId?: string;
  /** A key that turns auth on in auto mode (any but the local executor's). */
  keyCreated?: boolean;
}

export interface CreateKeyRequest {
  name: string;
  /** Another user's name; default the caller. */
  user?: string | null;
  projectId?: string | null;
  role?: Role | null;
  expiresInDays?: number | null;
}

/** Projects, users, memberships and API keys: the SQL behind access control. */
export class AccessService {
  private readonly listeners: Array<(change: AccessChange) => void> = [];

  constructor(private readonly db: Database) {}

  /** Hears every change to keys or memberships made through this server (caches drop what they hold). */
  onChange(listener: (change: AccessChange) => void): void {
    this.listeners.push(listener);
  }

  private changed(change: AccessChange): void {
    for (const listener of this.listeners) listener(change);
  }

  async createProject(name: string): Promise<ProjectRecord> {
    const clean = checkName(name, "name", 100);
    const rows = await this.db.query(`INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING *`, [clean]);
    if (!rows.length) throw new ConflictError(`a project named "${clean}" already exists; choose another name.`, "name");
    return projectFromRow(rows[0]);
  }

  /** Projects by id; null lists every project. */
  async projects(ids: readonly string[] | null): Promise<ProjectRecord[]> {
    const rows = await this.db.query(`SELECT * FROM projects WHERE $1::bigint[] IS NULL OR id = ANY($1::bigint[]) ORDER BY id`, [
      ids === null ? null : ids.filter(isValidId),
    ]);
    return rows.map(projectFromRow);
  }

  async project(id: string): Promise<ProjectRecord> {
    const [found] = isValidId(id) ? await this.projects([id]) : [];
    if (!found) throw new NotFoundError("project", id);
    return found;
  }

  /** The user of that name, created when missing. */
  async ensureUser(name: string, serverAdmin = false): Promise<UserRecord> {
    const [row] = await this.db.query(
      `INSERT INTO users (name, server_admin) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET server_admin = users.server_admin OR EXCLUDED.server_admin RETURNING *`,
      [name, serverAdmin],
    );
    return userFromRow(row);
  }

  async addMember(projectId: string, userName: string, role: Role): Promise<MembershipRecord> {
    const project = await this.project(projectId);
    const user = await this.ensureUser(checkUserName(userName, "user"));
    await this.db.query(
      `INSERT INTO memberships (user_id, project_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, project_id) DO UPDATE SET role = EXCLUDED.role`,
      [user.id, project.id, role],
    );
    this.changed({});
    return { project, user, role };
  }

  /** Removes a membership; keys of that user scoped to the project stop working with it. */
  async removeMember(projectId: string, userName: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM memberships m USING users u WHERE m.user_id = u.id AND m.project_id = $1 AND u.name = $2 RETURNING m.user_id`,
      [isValidId(projectId) ? projectId : "0", userName],
    );
    this.changed({});
    return rows.length > 0;
  }

  async members(projectId: string): Promise<MembershipRecord[]> {
    const project = await this.project(projectId);
    const rows = await this.db.query(
      `SELECT u.*, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.name`,
      [project.id],
    );
    return rows.map((r) => ({ project, user: userFromRow(r), role: r.role as Role }));
  }

  /**
   * Makes a key and returns it with the only copy of its secret. A key is never stronger than the
   * key that made it: it inherits the maker's project and role limits. Keys for other users are
   * for server administrators, and for project admins when scoped to their project.
   */
  async createKey(caller: Principal, request: CreateKeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
    const name = checkName(request.name, "input.name", 100);
    const expiresInDays = request.expiresInDays ?? null;
    if (expiresInDays !== null && !(Number.isInteger(expiresInDays) && expiresInDays > 0 && expiresInDays <= 3650)) {
      throw new BadUserInputError("input.expiresInDays must be a whole number of days between 1 and 3650.", "input.expiresInDays");
    }
    const projectId = request.projectId ?? caller.key?.projectId ?? null;
    if (projectId !== null) {
      await this.project(projectId);
      if (caller.roleIn(projectId) === null) throw new ForbiddenError(`you have no role in project ${projectId}, so no key of yours can work there.`, "input.projectId");
    }
    if (caller.key?.projectId && projectId !== caller.key.projectId) {
      throw new ForbiddenError(`this key works in project ${caller.key.projectId} only, so the keys it makes do too.`, "input.projectId");
    }
    let maxRole: Role | null = request.role ?? null;
    if (caller.key?.maxRole) maxRole = maxRole === null ? caller.key.maxRole : weaker(maxRole, caller.key.maxRole);

    let user: Pick<UserRecord, "id" | "name">;
    const self = caller.user;
    if (request.user == null || request.user === self?.name) {
      // The local caller (auth off) makes keys for the first administrator.
      user = self ?? (await this.ensureUser(FIRST_ADMIN_USER, true));
    } else {
      const userName = checkUserName(request.user, "input.user");
      if (!caller.unrestrictedAdmin) {
        if (projectId === null || caller.roleIn(projectId) !== "ADMIN") {
          throw new ForbiddenError("keys for other users need a server administrator, or input.projectId naming a project you administer.", "input.user");
        }
        const [member] = await this.db.query(
          `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.name = $1 AND m.project_id = $2`,
          [userName, projectId],
        );
        if (!member) throw new BadUserInputError(`user "${userName}" is not a member of project ${projectId}; addMember first.`, "input.user");
      }
      user = await this.ensureUser(userName);
    }
    return this.insertKey(user, name, projectId, maxRole, expiresInDays, self?.id ?? null);
  }

  async revokeKey(caller: Principal, id: string): Promise<ApiKeyRecord> {
    const key = await this.key(id);
    if (!this.mayManageKey(caller, key)) {
      throw new ForbiddenError(`key ${id} is not yours to revoke; its user, a server administrator or its project's admin may.`, "id");
    }
    const rows = await this.db.query(
      `UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, now()) FROM users u WHERE u.id = k.user_id AND k.id = $1 RETURNING ${KEY_COLUMNS}`,
      [id],
    );
    this.changed({ revokedKeyId: id });
    return keyFromRow(rows[0]);
  }

  /** The caller's own keys, plus the keys scoped to `projectId` when the caller administers it. */
  async listKeys(caller: Principal, projectId: string | null, includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    const all = caller.unrestrictedAdmin && projectId === null;
    const ofProject = projectId !== null && caller.roleIn(projectId) === "ADMIN" ? projectId : null;
    const rows = await this.db.query(
      `SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE ($1::boolean OR k.user_id = $2::bigint OR k.project_id = $3::bigint) AND ($4::boolean OR k.revoked_at IS NULL)
         AND u.name <> $5
       ORDER BY k.id`,
      [all, caller.user?.id ?? null, ofProject, includeRevoked, LOCAL_EXECUTOR_USER],
    );
    return rows.map(keyFromRow);
  }

  async key(id: string): Promise<ApiKeyRecord> {
    const rows = isValidId(id)
      ? await this.db.query(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`, [id])
      : [];
    if (!rows.length) throw new NotFoundError("API key", id);
    return keyFromRow(rows[0]);
  }

  private mayManageKey(caller: Principal, key: ApiKeyRecord): boolean {
    if (caller.unrestrictedAdmin || key.userId === caller.user?.id) return true;
    return key.projectId !== null && atLeast(caller.roleIn(key.projectId), "ADMIN");
  }

  /** Whether a server administrator with a working key exists. */
  async adminKeyExists(): Promise<boolean> {
    const [row] = await this.db.query<{ found: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE u.server_admin AND u.name <> $1 AND k.revoked_at IS NULL AND k.max_role IS NULL AND k.project_id IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now())
       ) AS found`,
      [LOCAL_EXECUTOR_USER],
    );
    return row.found;
  }

  /** A fresh unlimited key of the first server administrator (made when missing). */
  async createAdminKey(name: string): Promise<string> {
    const user = await this.ensureUser(FIRST_ADMIN_USER, true);
    return (await this.insertKey(user, name, null, null, null, null)).key;
  }

  /** A fresh EXECUTOR key for the server's own local executor; its earlier keys are revoked. */
  async createLocalExecutorKey(): Promise<string> {
    const user = await this.ensureUser(LOCAL_EXECUTOR_USER, true);
    await this.db.query(`UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
    return (await this.insertKey(user, "local executor", null, "EXECUTOR", null, null)).key;
  }

  /** Two steps: the row's id is part of the key, and only the secret's hash is ever written. */
  private async insertKey(
    user: Pick<UserRecord, "id" | "name">,
    name: string,
    projectId: string | null,
    maxRole: Role | null,
    expiresInDays: number | null,
    createdBy: string | null,
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.db.transaction(async (sql) => {
      const [{ id }] = await sql.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('api_keys', 'id'))::text AS id`);
      const { key, secret } = newKeySecret(id);
      await sql.query(
        `INSERT INTO api_keys (id, user_id, name, secret_hash, project_id, max_role, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::int IS NULL THEN NULL ELSE now() + make_interval(days => $8::int) END)`,
        [id, user.id, name, await hashSecret(secret), projectId, maxRole, createdBy, expiresInDays],
      );
      const [row] = await sql.query(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`, [id]);
      this.changed({ keyCreated: user.name !== LOCAL_EXECUTOR_USER });
      return { key, record: keyFromRow(row) };
    });
  }
}

function checkUserName(value: string, field: string): string {
  const name = value.trim();
  if (!USER_NAME.test(name)) {
    throw new BadUserInputError(`${field} must be 1 to 100 letters, digits or ._@- starting with a letter or digit (got ${JSON.stringify(value.slice(0, 100))}).`, field);
  }
  return name;
}
