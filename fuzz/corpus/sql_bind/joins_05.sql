SELECT e.name, d.name FROM emp e FULL OUTER JOIN dept d ON e.dept_id = d.id
