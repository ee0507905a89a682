SELECT sum(value), min(value), max(value) FROM '../../../shared/parquet-testing/data/fixed_length_decimal.parquet'
