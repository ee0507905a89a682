WITH a AS (SELECT id FROM tree WHERE parent = 1), b AS (SELECT t.name FROM tree t JOIN a ON t.parent = a.id) SELECT * FROM b
