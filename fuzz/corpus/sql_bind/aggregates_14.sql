SELECT region, product, count(*) FROM sales GROUP BY ALL
