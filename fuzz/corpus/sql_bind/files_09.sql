SELECT string_col, count(*) FROM plain GROUP BY string_col ORDER BY string_col
