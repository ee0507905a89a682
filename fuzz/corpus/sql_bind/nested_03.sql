SELECT p.id, p.info['name'], (info).age FROM people p WHERE p.info.age > 22 ORDER BY 1
