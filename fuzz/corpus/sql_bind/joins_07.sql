SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id AND d.name <> 'eng'
