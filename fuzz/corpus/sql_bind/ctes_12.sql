WITH x AS (SELECT parent, count(*) AS n FROM tree GROUP BY parent) SELECT t.name, x.n FROM tree t JOIN x ON x.parent = t.id
