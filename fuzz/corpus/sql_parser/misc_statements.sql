COPY (SELECT * FROM 'data/*.parquet') TO 'out.parquet' (FORMAT parquet, COMPRESSION zstd);
PREPARE q AS SELECT $1, ?;
EXECUTE q(1, 'x');
SET threads TO 2;
RESET ALL;
DESCRIBE SELECT 1;
SHOW TABLES;
EXPLAIN ANALYZE SELECT E'a\n', x'00ff';
BEGIN; COMMIT; ROLLBACK;
-- comment
/* block /* nested */ */
