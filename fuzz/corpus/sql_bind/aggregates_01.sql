CREATE TABLE sales (region VARCHAR, product VARCHAR, qty INTEGER, price DECIMAL(10,2), ratio DOUBLE);
