SELECT g, x, sum(x) OVER (PARTITION BY g) FROM t ORDER BY g, x, y
