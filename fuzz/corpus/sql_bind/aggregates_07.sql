SELECT region, avg(price) FROM sales WHERE region IS NOT NULL GROUP BY region ORDER BY region
