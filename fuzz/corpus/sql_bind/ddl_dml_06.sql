DELETE FROM items WHERE name = upper(name)
