SELECT region, sum(qty), count(*) FROM sales GROUP BY region
