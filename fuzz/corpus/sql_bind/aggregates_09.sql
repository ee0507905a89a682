SELECT product FROM sales GROUP BY product HAVING sum(qty) >= 10
