SELECT id, date_part('quarter', d), date_part('week', d), extract(epoch FROM ts) FROM ev
