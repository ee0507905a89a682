SELECT id, replace(v, 'l', 'L'), reverse(v), repeat(v, 2) FROM s WHERE id < 4
