SELECT sum(qty), min(qty), max(qty), avg(qty) FROM sales
