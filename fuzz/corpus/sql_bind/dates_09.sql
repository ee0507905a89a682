SELECT id, date_diff('day', DATE '2024-01-01', d), date_diff('month', DATE '2024-01-01', d), datediff('year', d, DATE '2030-06-01') FROM ev
