import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ProjectEntity } from "./project";
import { UserEntity } from "./user";

/** Roles in a project, weakest first: each one may do what the ones before it may. */
export const PROJECT_ROLES = ["VIEWER", "EXECUTOR", "MEMBER", "ADMIN"] as const;

/** A user's role in one project. */
@Entity({ name: "memberships" })
export class MembershipEntity {
  @PrimaryColumn({ type: "bigint", name: "user_id" })
  userId: string;

  @PrimaryColumn({ type: "bigint", name: "project_id" })
  projectId: string;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user?: UserEntity;

  @ManyToOne(() => ProjectEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectEntity;

  @Column({ type: "enum", enum: PROJECT_ROLES, enumName: "project_role" })
  role: (typeof PROJECT_ROLES)[number];

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}
