SELECT sk, total FROM rev WHERE total = (SELECT max(total) FROM rev) ORDER BY sk
