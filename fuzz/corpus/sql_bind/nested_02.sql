SELECT id, info.name, info.age FROM people ORDER BY id
