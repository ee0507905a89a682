SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id
