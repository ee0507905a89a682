SELECT a.id, b.id FROM '../../../shared/parquet-testing/data/alltypes_plain.parquet' a JOIN '../../../shared/parquet-testing/data/alltypes_plain.snappy.parquet' b ON a.id = b.id
