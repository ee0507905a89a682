SELECT id, array_to_string(nums, '+') FROM people WHERE id <= 2 ORDER BY id
