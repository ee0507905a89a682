SELECT count(*) FROM emp CROSS JOIN dept
