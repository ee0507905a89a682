SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept_id = d.id
