SELECT id, (SELECT sum(qty) FROM o WHERE o.pid = p.id) FROM p
