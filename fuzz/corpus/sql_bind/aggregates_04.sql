SELECT sum(price), min(price), max(price) FROM sales
