SELECT count(*), sum(price) FROM items
