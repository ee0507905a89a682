SELECT 1, -2, 3000000000, 1.5, 1e3, 'txt', true
