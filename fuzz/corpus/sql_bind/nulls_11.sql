SELECT CASE WHEN a > 2 THEN 'big' WHEN a <= 2 THEN 'small' END FROM n
