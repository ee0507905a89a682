SELECT count(*) FROM people
