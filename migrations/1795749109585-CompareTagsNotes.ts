import type { MigrationInterface, QueryRunner } from "typeorm";

export class CompareTagsNotes1795749109585 implements MigrationInterface {
  name = "CompareTagsNotes1795749109585";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"studies\" ADD \"tags\" text array NOT NULL DEFAULT '{}'");
    await queryRunner.query("ALTER TABLE \"studies\" ADD \"note\" text");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"tags\" text array NOT NULL DEFAULT '{}'");
    await queryRunner.query("ALTER TABLE \"trials\" ADD \"note\" text");
    await queryRunner.query("CREATE INDEX \"studies_tags_idx\" ON \"studies\" USING gin (\"tags\") ");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP INDEX \"public\".\"studies_tags_idx\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"note\"");
    await queryRunner.query("ALTER TABLE \"trials\" DROP COLUMN \"tags\"");
    await queryRunner.query("ALTER TABLE \"studies\" DROP COLUMN \"note\"");
    await queryRunner.query("ALTER TABLE \"studies\" DROP COLUMN \"tags\"");
  }
}
