CREATE TABLE people (id INTEGER, name VARCHAR, born DATE);
