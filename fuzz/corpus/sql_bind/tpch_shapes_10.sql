CREATE VIEW rev (sk, total) AS SELECT sk, sum(price * (1 - disc)) FROM li GROUP BY sk
