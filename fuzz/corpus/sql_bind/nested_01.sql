CREATE TABLE people AS SELECT i AS id, {'name': 'p' || i::VARCHAR, 'age': 20 + i} AS info, [i, i * 10, NULL] AS nums FROM range(1, 5) t(i)
