SELECT id FROM p WHERE price > (SELECT avg(price) FROM p)
