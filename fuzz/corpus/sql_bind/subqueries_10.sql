SELECT id, id IN (SELECT pid FROM o) FROM p
