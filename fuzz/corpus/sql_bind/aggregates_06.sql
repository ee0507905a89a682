SELECT product, sum(qty) AS s FROM sales GROUP BY product ORDER BY s DESC, product
