import type { MigrationInterface, QueryRunner } from "typeorm";

export class AccessControl1795748885842 implements MigrationInterface {
  name = "AccessControl1795748885842";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"users\" (\"id\" BIGSERIAL NOT NULL, \"name\" text NOT NULL, \"server_admin\" boolean NOT NULL DEFAULT false, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_51b8b26ac168fbe7d6f5653e6cf\" UNIQUE (\"name\"), CONSTRAINT \"PK_a3ffb1c0c8416b9fc6f907b7433\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TYPE \"public\".\"project_role\" AS ENUM('VIEWER', 'EXECUTOR', 'MEMBER', 'ADMIN')");
    await queryRunner.query("CREATE TABLE \"memberships\" (\"user_id\" bigint NOT NULL, \"project_id\" bigint NOT NULL, \"role\" \"public\".\"project_role\" NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_246faae84ffe34c04db7c91ae50\" PRIMARY KEY (\"user_id\", \"project_id\"))");
    await queryRunner.query("CREATE TABLE \"api_keys\" (\"id\" BIGSERIAL NOT NULL, \"user_id\" bigint NOT NULL, \"name\" text NOT NULL, \"secret_hash\" text NOT NULL, \"project_id\" bigint, \"max_role\" \"public\".\"project_role\", \"created_by\" bigint, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"expires_at\" TIMESTAMP WITH TIME ZONE, \"last_used_at\" TIMESTAMP WITH TIME ZONE, \"revoked_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_5c8a79801b44bd27b79228e1dad\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"api_keys_user_idx\" ON \"api_keys\"  (\"user_id\") ");
    await queryRunner.query("ALTER TABLE \"executors\" ADD \"project_ids\" bigint array");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"FK_7c1e2fdfed4f6838e0c05ae5051\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"memberships\" ADD CONSTRAINT \"FK_6ab5ba6eb101e826e5a86561083\" FOREIGN KEY (\"project_id\") REFERENCES \"projects\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"api_keys\" ADD CONSTRAINT \"FK_a3baee01d8408cd3c0f89a9a973\" FOREIGN KEY (\"user_id\") REFERENCES \"users\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"api_keys\" ADD CONSTRAINT \"FK_f5de07dbb229225e2be643ff3d0\" FOREIGN KEY (\"project_id\") REFERENCES \"projects\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"api_keys\" DROP CONSTRAINT \"FK_f5de07dbb229225e2be643ff3d0\"");
    await queryRunner.query("ALTER TABLE \"api_keys\" DROP CONSTRAINT \"FK_a3baee01d8408cd3c0f89a9a973\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"FK_6ab5ba6eb101e826e5a86561083\"");
    await queryRunner.query("ALTER TABLE \"memberships\" DROP CONSTRAINT \"FK_7c1e2fdfed4f6838e0c05ae5051\"");
    await queryRunner.query("ALTER TABLE \"executors\" DROP COLUMN \"project_ids\"");
    await queryRunner.query("DROP INDEX \"public\".\"api_keys_user_idx\"");
    await queryRunner.query("DROP TABLE \"api_keys\"");
    await queryRunner.query("DROP TABLE \"memberships\"");
    await queryRunner.query("DROP TYPE \"public\".\"project_role\"");
    await queryRunner.query("DROP TABLE \"users\"");
  }
}
