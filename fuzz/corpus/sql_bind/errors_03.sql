SELECT 0 // 5, NULL // 2, a // nullif(b, 0) FROM (VALUES (1, 0)) t(a, b)
