SELECT id, name, tags FROM items
