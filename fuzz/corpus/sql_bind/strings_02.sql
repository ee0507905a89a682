SELECT id, length(v), upper(v), lower(v) FROM s
