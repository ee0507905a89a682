SELECT count(*), count(DISTINCT c_first_name), min(c_last_name) FROM (SELECT * FROM '../../../shared/parquet-testing/data/delta_byte_array.parquet')
