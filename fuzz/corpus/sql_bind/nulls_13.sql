SELECT count(*), count(a), count(b), count(s), sum(a), avg(b) FROM n
