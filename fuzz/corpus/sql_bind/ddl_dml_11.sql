SELECT * FROM cheap
