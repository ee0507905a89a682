SELECT count(*), sum(i) FROM items2
