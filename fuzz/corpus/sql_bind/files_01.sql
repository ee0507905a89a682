SELECT id, bool_col, tinyint_col, int_col, bigint_col, float_col, double_col, date_string_col, string_col FROM '../../../shared/parquet-testing/data/alltypes_plain.parquet' ORDER BY id
