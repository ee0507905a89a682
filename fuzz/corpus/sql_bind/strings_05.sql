SELECT id, position('l' IN v), strpos(v, 'o'), instr(v, 'l') FROM s
