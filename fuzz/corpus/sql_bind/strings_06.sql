SELECT id, trim(v), ltrim(v), rtrim(v), trim(v, ' pd') FROM s WHERE id IN (1, 3, 5)
