import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { PROJECT_ROLES } from "./membership";
import { ProjectEntity } from "./project";
import { UserEntity } from "./user";

/**
 * An API key of a user. The secret itself is never stored: only a salted scrypt hash of it, so a
 * copy of the database does not let anyone in.
 */
@Entity({ name: "api_keys" })
@Index("api_keys_user_idx", ["userId"])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "bigint", name: "user_id" })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: UserEntity;

  /** What the key is for ("gpu-box-3", "ci"), shown in lists. */
  @Column({ type: "text" })
  name: string;

  /** "scrypt$N$r$p$salt$hash" (base64url salt and hash). */
  @Column({ type: "text", name: "secret_hash" })
  secretHash: string;

  /** When set, the key works in this project only, whatever else its user may do. */
  @Column({ type: "bigint", name: "project_id", nullable: true })
  projectId: string | null;

  @ManyToOne(() => ProjectEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectEntity;

  /** When set, the key acts with at most this role (an EXECUTOR key of an admin stays an executor). */
  @Column({ type: "enum", enum: PROJECT_ROLES, enumName: "project_role", name: "max_role", nullable: true })
  maxRole: (typeof PROJECT_ROLES)[number] | null;

  /** Who made the key (an admin may make keys for machine users). */
  @Column({ type: "bigint", name: "created_by", nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Column({ type: "timestamptz", name: "expires_at", nullable: true })
  expiresAt: Date | null;

  /** Updated at most once a minute, so busy keys do not write on every request. */
  @Column({ type: "timestamptz", name: "last_used_at", nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: "timestamptz", name: "revoked_at", nullable: true })
  revokedAt: Date | null;
}
