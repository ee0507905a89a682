SELECT region, count(*) FROM sales GROUP BY region HAVING count(*) > 1
