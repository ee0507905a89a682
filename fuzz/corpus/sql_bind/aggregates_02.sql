SELECT count(*), count(qty), count(region), count(DISTINCT product) FROM sales
