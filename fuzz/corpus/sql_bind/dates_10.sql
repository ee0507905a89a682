SELECT id, ts + INTERVAL '90 minutes', ts - INTERVAL 1 DAY FROM ev
