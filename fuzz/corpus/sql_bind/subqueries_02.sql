SELECT (SELECT max(price) FROM p)
