SELECT count(*), count(qty), max(product) FROM sales WHERE qty > 100
