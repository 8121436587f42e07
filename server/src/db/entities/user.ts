import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A person or a machine (an executor, a CI job) that holds API keys and project memberships. */
@Entity({ name: "users" })
export class UserEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "text", unique: true })
  name: string;

  /** A server administrator is admin of every project and may create projects. */
  @Column({ type: "boolean", name: "server_admin", default: false })
  serverAdmin: boolean;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}
