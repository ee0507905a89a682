SELECT id, (SELECT count(*) FROM o WHERE o.pid = p.id) FROM p
