SELECT id FROM p WHERE price = (SELECT max(price) FROM p p2 WHERE p2.cat = p.cat)
