SELECT region, product, sum(qty) FROM sales GROUP BY region, product
