import type { MigrationInterface, QueryRunner } from "typeorm";

export class Searches1795748212328 implements MigrationInterface {
  name = "Searches1795748212328";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TYPE \"public\".\"search_state\" AS ENUM('QUEUED', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED')");
    await queryRunner.query("CREATE TYPE \"public\".\"search_evaluation_state\" AS ENUM('NONE', 'PENDING', 'RUNNING', 'DONE', 'FAILED')");
    await queryRunner.query("CREATE TABLE \"searches\" (\"id\" BIGSERIAL NOT NULL, \"study_id\" bigint NOT NULL, \"state\" \"public\".\"search_state\" NOT NULL DEFAULT 'QUEUED', \"n_trials\" integer, \"timeout_seconds\" integer, \"concurrency\" integer NOT NULL DEFAULT '1', \"max_retries\" integer NOT NULL DEFAULT '0', \"task\" jsonb NOT NULL, \"end_reason\" text, \"evaluation_state\" \"public\".\"search_evaluation_state\" NOT NULL DEFAULT 'NONE', \"evaluation_trial_id\" bigint, \"evaluation_owner\" bigint, \"evaluation_heartbeat_at\" TIMESTAMP WITH TIME ZONE, \"evaluation\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"started_at\" TIMESTAMP WITH TIME ZONE, \"ended_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_60a4e082658af4c8834c23f6fad\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"searches_study_idx\" ON \"searches\"  (\"study_id\", \"id\") ");
    await queryRunner.query("CREATE INDEX \"searches_active_idx\" ON \"searches\"  (\"state\", \"id\") WHERE \"state\" IN ('QUEUED', 'RUNNING')");
    await queryRunner.query("CREATE TABLE \"executors\" (\"id\" BIGSERIAL NOT NULL, \"host\" text NOT NULL, \"device\" text NOT NULL, \"backend\" text NOT NULL, \"trainers\" text array NOT NULL DEFAULT '{}', \"labels\" jsonb NOT NULL DEFAULT '{}', \"registered_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"last_seen_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"stopped_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_c3bbfed7eccc37f7bbff0e25bd1\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"search_id\" bigint");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"fail_reason\" text");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"ask_key\" text");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"retry_of\" bigint");
    await queryRunner.query("CREATE INDEX \"trials_lease_idx\" ON \"trials\"  (\"heartbeat_at\") WHERE \"state\" = 'RUNNING' AND \"search_id\" IS NOT NULL");
    await queryRunner.query("CREATE INDEX \"trials_search_state_idx\" ON \"trials\"  (\"search_id\", \"state\") WHERE \"search_id\" IS NOT NULL");
    await queryRunner.query("CREATE UNIQUE INDEX \"trials_study_ask_key_key\" ON \"trials\"  (\"study_id\", \"ask_key\") WHERE \"ask_key\" IS NOT NULL");
    await queryRunner.query("ALTER TABLE \"searches\" ADD CONSTRAINT \"FK_a94d904835a60799ab8a6b65343\" FOREIGN KEY (\"study_id\") REFERENCES \"studies\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"trials\" ADD CONSTRAINT \"FK_ee76abaa6fbe0fb32068f5439a0\" FOREIGN KEY (\"search_id\") REFERENCES \"searches\"(\"id\") ON DELETE SET NULL ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"trials\" DROP CONSTRAINT \"FK_ee76abaa6fbe0fb32068f5439a0\"");
    await queryRunner.query("ALTER TABLE \"searches\" DROP CONSTRAINT \"FK_a94d904835a60799ab8a6b65343\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_study_ask_key_key\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_search_state_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_lease_idx\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"retry_of\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"ask_key\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"fail_reason\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"search_id\"");
    await queryRunner.query("DROP TABLE \"executors\"");
    await queryRunner.query("DROP INDEX \"public\".\"searches_active_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"searches_study_idx\"");
    await queryRunner.query("DROP TABLE \"searches\"");
    await queryRunner.query("DROP TYPE \"public\".\"search_evaluation_state\"");
    await queryRunner.query("DROP TYPE \"public\".\"search_state\"");
  }
}
