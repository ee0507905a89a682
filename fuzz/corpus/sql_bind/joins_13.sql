SELECT e.name, b.name AS boss FROM emp e JOIN emp b ON e.boss = b.id
