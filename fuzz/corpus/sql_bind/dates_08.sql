SELECT id, date_trunc('month', d), date_trunc('year', d), date_trunc('hour', ts) FROM ev
