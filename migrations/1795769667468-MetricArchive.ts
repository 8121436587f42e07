import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Moves the series of the trials that `trialCondition` (on `ms`, a metric_series row) selects out
 * of metric_points into one row of arrays each. The caller holds the trials' rows locked (the
 * update that finished them), so no report can add a point meanwhile. No sequential scans (the
 * functions below set enable_seqscan off): a plan kept from when metric_points looked empty would
 * read the whole table, dead rows included, on every call until the next vacuum (seen: 10 ms per
 * call instead of 0.1).
 */
function moveSeriesOf(trialCondition: string): string {
  return `WITH moved AS (
          DELETE FROM metric_points p USING metric_series ms
          WHERE ${trialCondition} AND p.series_id = ms.id
          RETURNING p.series_id, p.step, p.value, p.time
        )
        INSERT INTO metric_archive (series_id, steps, "values", times)
        SELECT series_id, array_agg(step ORDER BY step), array_agg(value ORDER BY step), array_agg(time ORDER BY step)
        FROM moved GROUP BY series_id`;
}

export class MetricArchive1795769667468 implements MigrationInterface {
  name = "MetricArchive1795769667468";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"metric_archive\" (\"series_id\" bigint NOT NULL, \"steps\" integer array NOT NULL, \"values\" double precision array NOT NULL, \"times\" TIMESTAMP WITH TIME ZONE array NOT NULL, CONSTRAINT \"PK_3562a14108597327b7976f67fa4\" PRIMARY KEY (\"series_id\"))");
    await queryRunner.query("ALTER TABLE \"metric_archive\" ADD CONSTRAINT \"FK_3562a14108597327b7976f67fa4\" FOREIGN KEY (\"series_id\") REFERENCES \"metric_series\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    // For the trials' finishes: one statement in a PL/pgSQL trigger, whose plan each connection
    // keeps. A trial without points (ask + tell alone) costs an index probe on metric_series.
    await queryRunner.query(`CREATE FUNCTION trials_archive_metrics() RETURNS trigger LANGUAGE plpgsql
      SET enable_seqscan = off AS $$
      BEGIN
        ${moveSeriesOf("ms.trial_id = NEW.id")};
        RETURN NULL;
      END
    $$`);
    // For imports and for this migration: many trials at once.
    await queryRunner.query(`CREATE FUNCTION archive_trial_metrics(trial_ids bigint[]) RETURNS void LANGUAGE sql
      SET enable_seqscan = off AS $$
        ${moveSeriesOf("ms.trial_id = ANY (trial_ids)")}
    $$`);
    // A trigger rather than a call in each service, so that every way a trial finishes (tell,
    // prune, lease expiry, cancel, executor unregister) archives it in the same transaction.
    await queryRunner.query(`CREATE TRIGGER trials_archive_metrics AFTER UPDATE OF state ON trials FOR EACH ROW
      WHEN (OLD.state IN ('WAITING', 'RUNNING') AND NEW.state IN ('COMPLETE', 'PRUNED', 'FAIL'))
      EXECUTE FUNCTION trials_archive_metrics()`);
    // Every reader of points goes through this function: a running trial's rows, a finished one's
    // arrays. It is inlined into the caller's query, so `CROSS JOIN LATERAL series_points(ms.id)`
    // probes both primary keys per series. (A UNION ALL view joined on series_id is not: its
    // arrays branch cannot take a join parameter and gets scanned whole.) STABLE and not STRICT,
    // as inlining requires.
    await queryRunner.query(`CREATE FUNCTION series_points(series bigint) RETURNS TABLE (step integer, value double precision, "time" timestamptz)
      LANGUAGE sql STABLE AS $$
        SELECT p.step, p.value, p.time FROM metric_points p WHERE p.series_id = series
        UNION ALL
        SELECT u.step, u.value, u.time
        FROM metric_archive a CROSS JOIN LATERAL unnest(a.steps, a."values", a.times) AS u(step, value, time)
        WHERE a.series_id = series
      $$`);
    // Archiving deletes rows at the rate points arrive; vacuum makes their space reusable. Without
    // these, autovacuum waits for 20% of the table to be dead, and the table and its index grow
    // by what arrives between vacuums.
    await queryRunner.query(`ALTER TABLE metric_points SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000, autovacuum_vacuum_cost_delay = 0)`);
    await queryRunner.query(`SELECT archive_trial_metrics(array_agg(id)) FROM trials WHERE state IN ('COMPLETE', 'PRUNED', 'FAIL')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION series_points(bigint)`);
    await queryRunner.query(`DROP TRIGGER trials_archive_metrics ON trials`);
    await queryRunner.query(`DROP FUNCTION trials_archive_metrics()`);
    await queryRunner.query(`DROP FUNCTION archive_trial_metrics(bigint[])`);
    await queryRunner.query(`ALTER TABLE metric_points RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay)`);
    await queryRunner.query(`INSERT INTO metric_points (series_id, step, value, time)
      SELECT a.series_id, u.step, u.value, u.time
      FROM metric_archive a CROSS JOIN LATERAL unnest(a.steps, a."values", a.times) AS u(step, value, time)`);
    await queryRunner.query("ALTER TABLE \"metric_archive\" DROP CONSTRAINT \"FK_3562a14108597327b7976f67fa4\"");
    await queryRunner.query("DROP TABLE \"metric_archive\"");
  }
}
