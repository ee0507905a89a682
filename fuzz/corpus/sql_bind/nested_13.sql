SELECT count(*) FROM people WHERE nums[2] >= 20
