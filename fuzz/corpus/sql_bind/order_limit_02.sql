SELECT id FROM m ORDER BY score, id
