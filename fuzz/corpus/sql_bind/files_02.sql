SELECT count(*), sum(int_col), min(timestamp_col), max(timestamp_col) FROM '../../../shared/parquet-testing/data/alltypes_plain.parquet'
