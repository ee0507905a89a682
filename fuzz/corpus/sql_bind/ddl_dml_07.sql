SELECT id, name FROM items ORDER BY id
