SELECT g, x, lag(x) OVER (PARTITION BY g ORDER BY x, y), lead(x, 1, -1) OVER (PARTITION BY g ORDER BY x, y) FROM t ORDER BY g, x, y
