SELECT count(*) FROM read_parquet('../../../shared/parquet-testing/data/alltypes_dictionary.parquet')
