INSERT INTO items SELECT id + 10, upper(name), price * 2, tags FROM items
