SELECT id, substring(v, 2, 3), substr(v, 3), left(v, 2), right(v, 2) FROM s
