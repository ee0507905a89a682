SELECT o.ok, o.total, sum(l.qty) FROM ord o, li l WHERE o.ok IN (SELECT ok FROM li GROUP BY ok HAVING sum(qty) > 50) AND o.ok = l.ok GROUP BY o.ok, o.total ORDER BY o.total DESC, o.ok
