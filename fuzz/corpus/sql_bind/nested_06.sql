SELECT id, len(nums), array_length(nums) FROM people WHERE id IN (1, 9) ORDER BY id
