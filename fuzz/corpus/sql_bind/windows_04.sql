SELECT x, percent_rank() OVER (ORDER BY x), cume_dist() OVER (ORDER BY x) FROM t WHERE x IS NOT NULL ORDER BY x, y
