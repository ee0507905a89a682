SELECT value FROM '../../../shared/parquet-testing/data/int64_decimal.parquet' WHERE value > 10 ORDER BY value DESC
