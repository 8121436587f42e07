import type { FilterSql } from "./studyFilter";

const STUDY_FIELDS = "id, project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs, tags, note, created_at";

/**
 * One statement for a whole page of compared studies: the filter, the page, each study's counts
 * by state, best values and best-so-far curve (only the trials where the best improved, and the
 * last one: a step curve needs nothing else). The summary row is there even when the page is
 * empty, so the total and the project check never need a second round trip.
 *
 * The filter's parameters come first ($1...), then `after` (the last id of the previous page),
 * the page size plus one, and whether the curve follows completion time.
 */
export function compareStudiesSql(filter: FilterSql): string {
  const n = filter.params.length;
  const [after, limit, byTime] = [`$${n + 1}::bigint`, `$${n + 2}::int`, `$${n + 3}::boolean`];
  const named = filter.projectConditions.length > 0;
  const where = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(" AND ")}` : "");
  return `
WITH proj AS (
  SELECT id FROM projects ${named ? where(filter.projectConditions) : "WHERE false"}
), matched AS (
  SELECT s.id FROM studies s ${where(filter.studyConditions)}
), page AS (
  SELECT ${STUDY_FIELDS} FROM studies
  WHERE id IN (SELECT id FROM matched) AND (${after} IS NULL OR id > ${after})
  ORDER BY id LIMIT ${limit}
)
SELECT summary.total, summary.projects, p.*
FROM (SELECT (SELECT count(*) FROM matched) AS total, (SELECT count(*) FROM proj) AS projects) summary
LEFT JOIN LATERAL (
  SELECT pg.*, counts.by_state, best.best_values, curve.points, origin.origin_ms
  FROM page pg
  LEFT JOIN LATERAL (
    SELECT json_object_agg(c.state, c.n) AS by_state
    FROM (SELECT t.state, count(*) AS n FROM trials t WHERE t.study_id = pg.id GROUP BY t.state) c
  ) counts ON true
  LEFT JOIN LATERAL (
    SELECT array_agg(CASE WHEN pg.directions[b.i] = 'MAXIMIZE' THEN b.mx ELSE b.mn END ORDER BY b.i) AS best_values
    FROM (
      SELECT i, min(t."values"[i]) AS mn, max(t."values"[i]) AS mx
      FROM trials t CROSS JOIN generate_series(1, cardinality(pg.directions)) AS i
      WHERE t.study_id = pg.id AND t.state = 'COMPLETE'
      GROUP BY i
    ) b
  ) best ON true
  LEFT JOIN LATERAL (
    SELECT (extract(epoch FROM min(coalesce(t.started_at, t.created_at))) * 1000)::float8 AS origin_ms
    FROM trials t WHERE t.study_id = pg.id
  ) origin ON true
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_array(r.number, r.ms, r.best) ORDER BY r.ord) AS points
    FROM (
      SELECT r.*, lag(r.best) OVER (ORDER BY r.ord) AS previous, count(*) OVER () AS n
      FROM (
        SELECT t.number, (extract(epoch FROM t.completed_at) * 1000)::float8 AS ms,
          CASE WHEN pg.directions[1] = 'MAXIMIZE' THEN max(t.objective_value) OVER w ELSE min(t.objective_value) OVER w END AS best,
          row_number() OVER w AS ord
        FROM trials t
        WHERE t.study_id = pg.id AND t.state = 'COMPLETE' AND t.objective_value IS NOT NULL
          AND (NOT ${byTime} OR t.completed_at IS NOT NULL)
        WINDOW w AS (ORDER BY CASE WHEN ${byTime} THEN t.completed_at END, t.number ROWS UNBOUNDED PRECEDING)
      ) r
    ) r
    WHERE r.previous IS NULL OR r.best <> r.previous OR r.ord = r.n
  ) curve ON true
) p ON true
ORDER BY p.id`
}
