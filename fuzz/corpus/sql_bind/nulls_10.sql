SELECT nullif(a, 1), nullif(s, '') FROM n
