SELECT id, d + 1, d - 1, d + INTERVAL 1 MONTH FROM ev
