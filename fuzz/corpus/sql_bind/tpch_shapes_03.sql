SELECT sum(price * disc) AS revenue FROM li WHERE ship >= DATE '1994-01-01' AND ship < DATE '1994-01-01' + INTERVAL '1' YEAR AND disc BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND qty < 46
