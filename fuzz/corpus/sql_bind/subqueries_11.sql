SELECT pid, pid IN (SELECT id FROM p WHERE price > 15) FROM o
