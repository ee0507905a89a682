SELECT e.name, b.name AS boss FROM emp e LEFT JOIN emp b ON e.boss = b.id
