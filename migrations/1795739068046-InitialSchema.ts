import type { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795739068046 implements MigrationInterface {
  name = "InitialSchema1795739068046";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"projects\" (\"id\" BIGSERIAL NOT NULL, \"name\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"UQ_2187088ab5ef2a918473cb99007\" UNIQUE (\"name\"), CONSTRAINT \"PK_6271df0a7aed1d6c0691ce6ac50\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE TABLE \"studies\" (\"id\" BIGSERIAL NOT NULL, \"project_id\" bigint NOT NULL, \"name\" text NOT NULL, \"directions\" text array NOT NULL, \"search_space\" jsonb NOT NULL, \"sampler\" jsonb NOT NULL, \"pruner\" jsonb NOT NULL, \"sampler_state\" jsonb, \"objective_metric\" text NOT NULL DEFAULT 'objective', \"user_attrs\" jsonb NOT NULL DEFAULT '{}', \"next_trial_number\" integer NOT NULL DEFAULT '0', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_b100ff0c4a0ad02a9c2270d45b6\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"studies_project_name_key\" ON \"studies\"  (\"project_id\", \"name\") ");
    await queryRunner.query("CREATE TYPE \"public\".\"trial_state\" AS ENUM('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')");
    await queryRunner.query("CREATE TABLE \"trials\" (\"id\" BIGSERIAL NOT NULL, \"study_id\" bigint NOT NULL, \"number\" integer NOT NULL, \"state\" \"public\".\"trial_state\" NOT NULL, \"params\" jsonb NOT NULL DEFAULT '{}', \"distributions\" jsonb NOT NULL DEFAULT '{}', \"values\" double precision array, \"objective_value\" double precision, \"user_attrs\" jsonb NOT NULL DEFAULT '{}', \"prune_reason\" text, \"owner\" text, \"heartbeat_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"started_at\" TIMESTAMP WITH TIME ZONE, \"completed_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_afe5dc86ce7253d239c3dfea2d3\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"trials_study_objective_idx\" ON \"trials\"  (\"study_id\", \"objective_value\") WHERE \"state\" = 'COMPLETE'");
    await queryRunner.query("CREATE INDEX \"trials_study_state_idx\" ON \"trials\"  (\"study_id\", \"state\", \"number\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"trials_study_number_key\" ON \"trials\"  (\"study_id\", \"number\") ");
    await queryRunner.query("CREATE TABLE \"metric_series\" (\"id\" BIGSERIAL NOT NULL, \"trial_id\" bigint NOT NULL, \"name\" text NOT NULL, CONSTRAINT \"PK_aeaccb4123ae9612ca49d4f4967\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"metric_series_trial_name_key\" ON \"metric_series\"  (\"trial_id\", \"name\") ");
    await queryRunner.query("CREATE TABLE \"metric_points\" (\"series_id\" bigint NOT NULL, \"step\" integer NOT NULL, \"value\" double precision NOT NULL, \"time\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_5277e0b426d1cee18d8a3f6b855\" PRIMARY KEY (\"series_id\", \"step\"))");
    await queryRunner.query("ALTER TABLE \"studies\" ADD CONSTRAINT \"FK_85e360590ffcda0eaa05d3a7143\" FOREIGN KEY (\"project_id\") REFERENCES \"projects\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"trials\" ADD CONSTRAINT \"FK_d937d55fc4dd7fcb4802a83f321\" FOREIGN KEY (\"study_id\") REFERENCES \"studies\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"metric_series\" ADD CONSTRAINT \"FK_66f2480b822fb681c4f5b2596ab\" FOREIGN KEY (\"trial_id\") REFERENCES \"trials\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"metric_points\" ADD CONSTRAINT \"FK_1f6d3504cc0e4c525b7516e55b5\" FOREIGN KEY (\"series_id\") REFERENCES \"metric_series\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"metric_points\" DROP CONSTRAINT \"FK_1f6d3504cc0e4c525b7516e55b5\"");
    await queryRunner.query("ALTER TABLE \"metric_series\" DROP CONSTRAINT \"FK_66f2480b822fb681c4f5b2596ab\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP CONSTRAINT \"FK_d937d55fc4dd7fcb4802a83f321\"");
    await queryRunner.query("ALTER TABLE \"studies\" DROP CONSTRAINT \"FK_85e360590ffcda0eaa05d3a7143\"");
    await queryRunner.query("DROP TABLE \"metric_points\"");
    await queryRunner.query("DROP INDEX \"public\".\"metric_series_trial_name_key\"");
    await queryRunner.query("DROP TABLE \"metric_series\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_study_number_key\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_study_state_idx\"");
    await queryRunner.query("DROP INDEX \"public\".\"trials_study_objective_idx\"");
    await queryRunner.query("DROP TABLE \"trials\"");
    await queryRunner.query("DROP TYPE \"public\".\"trial_state\"");
    await queryRunner.query("DROP INDEX \"public\".\"studies_project_name_key\"");
    await queryRunner.query("DROP TABLE \"studies\"");
    await queryRunner.query("DROP TABLE \"projects\"");
  }
}
