SELECT coalesce(a, b, -1), coalesce(s, '?') FROM n
