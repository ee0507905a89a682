SELECT g, x, sum(x) OVER (PARTITION BY g ORDER BY x, y) FROM t ORDER BY g, x, y
