SELECT count(*) FROM items
