WITH a AS (SELECT count(*) AS n FROM tree) SELECT x.n + y.n FROM a x, a y
