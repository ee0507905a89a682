SELECT info.age % 2 AS odd, count(*) FROM people WHERE info IS NOT NULL GROUP BY info.age % 2 ORDER BY 1
