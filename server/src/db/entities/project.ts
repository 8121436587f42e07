import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A namespace for studies. Every server has a "default" project that single users never see. */
@Entity({ name: "projects" })
export class ProjectEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "text", unique: true })
  name: string;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}
