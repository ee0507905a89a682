SELECT count(*) FROM emp WHERE dept_id NOT IN (SELECT id FROM dept)
