const STUDY_FIELDS = "id, project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs, tags, note, created_at";

/**
 * One statement for a whole page of compared studies: the filter, the page, each study's counts
 * by state, best values and best-so-far curve (only the trials where the best improved, and the
 * last one: a step curve needs nothing else). The summary row is there even when the page is
 * empty, so the total and the project check never need a second round trip.
 *
 * $1..$7 the filter (see studyFilterParams), $8 the last id of the previous page, $9 the page size
 * plus one, $10 whether the curve follows completion time, $11 the projects the caller may see.
 */
export const COMPARE_STUDIES_SQL = `
WITH proj AS (
  SELECT id FROM projects
  WHERE ($1::bigint IS NOT NULL OR $2::text IS NOT NULL)
    AND ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR name = $2)
    AND ($11::bigint[] IS NULL OR id = ANY($11::bigint[]))
), matched AS (
  SELECT s.id FROM studies s
  WHERE (($1::bigint IS NULL AND $2::text IS NULL) OR s.project_id IN (SELECT id FROM proj))
    AND ($11::bigint[] IS NULL OR s.project_id = ANY($11::bigint[]))
    AND ($3::bigint[] IS NULL OR s.id = ANY($3::bigint[]))
    AND ($4::text[] IS NULL OR s.tags @> $4::text[])
    AND ($5::text IS NULL OR s.name ILIKE $5)
    AND ($6::timestamptz IS NULL OR s.created_at >= $6)
    AND ($7::timestamptz IS NULL OR s.created_at < $7)
), page AS (
  SELECT ${STUDY_FIELDS} FROM studies
  WHERE id IN (SELECT id FROM matched) AND ($8::bigint IS NULL OR id > $8)
  ORDER BY id LIMIT $9
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
          AND (NOT $10::boolean OR t.completed_at IS NOT NULL)
        WINDOW w AS (ORDER BY CASE WHEN $10::boolean THEN t.completed_at END, t.number ROWS UNBOUNDED PRECEDING)
      ) r
    ) r
    WHERE r.previous IS NULL OR r.best <> r.previous OR r.ord = r.n
  ) curve ON true
) p ON true
ORDER BY p.id`;
