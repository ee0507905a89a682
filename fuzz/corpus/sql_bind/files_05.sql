SELECT value FROM '../../../shared/parquet-testing/data/int32_decimal.parquet' ORDER BY value
