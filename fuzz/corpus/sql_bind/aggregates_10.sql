SELECT sum(qty) FROM sales WHERE qty > 100
