SELECT sum(price) / 7.0 AS avg_yearly FROM li l WHERE qty < (SELECT 0.2 * avg(qty) FROM li l2 WHERE l2.pk = l.pk) OR qty > 40
