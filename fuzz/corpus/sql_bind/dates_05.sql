SELECT id, extract(year FROM d), extract(month FROM d), extract(day FROM d), dayofweek(d), dayofyear(d) FROM ev
