SELECT id, year(ts), month(ts), hour(ts), minute(ts), second(ts) FROM ev
