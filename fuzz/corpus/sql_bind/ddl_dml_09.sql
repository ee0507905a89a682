SELECT * FROM copied
