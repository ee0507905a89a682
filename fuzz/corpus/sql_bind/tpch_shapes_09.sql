SELECT 100.00 * sum(CASE WHEN mode LIKE 'RA%' THEN price * (1 - disc) ELSE 0 END) / sum(price * (1 - disc)) AS share FROM li
