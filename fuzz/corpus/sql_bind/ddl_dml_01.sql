CREATE TABLE items (id INTEGER, name VARCHAR, price DECIMAL(8,2), tags VARCHAR DEFAULT 'none');
