CREATE VIEW cheap AS SELECT name FROM items WHERE price < 5
