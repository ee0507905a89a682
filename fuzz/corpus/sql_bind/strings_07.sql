SELECT id, lpad(v, 8, '*'), rpad(v, 8, '.') FROM s WHERE id < 4
