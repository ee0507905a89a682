SELECT extract(year FROM ship) AS y, sum(price) FROM li GROUP BY y ORDER BY y
