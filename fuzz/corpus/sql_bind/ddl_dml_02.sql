SELECT id, name, price, tags FROM items ORDER BY id
