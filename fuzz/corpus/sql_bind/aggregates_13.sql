SELECT region, sum(qty) FROM sales GROUP BY 1
