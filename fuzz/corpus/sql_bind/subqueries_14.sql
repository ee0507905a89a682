SELECT id FROM p WHERE price > ALL (SELECT price FROM p WHERE cat = 'x')
