SELECT bool_col, count(*) FROM '../../../shared/parquet-testing/data/alltypes_plain.snappy.parquet' GROUP BY bool_col
