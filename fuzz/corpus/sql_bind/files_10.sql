SELECT count(*) FROM '../../../shared/parquet-testing/data/delta_binary_packed.parquet'
