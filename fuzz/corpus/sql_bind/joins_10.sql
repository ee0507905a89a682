SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept)
