SELECT g, x, row_number() OVER (PARTITION BY g ORDER BY x, y) FROM t ORDER BY g, x, y
