SELECT id, nums[1], nums[2], nums[-1], nums[4] FROM people ORDER BY id
