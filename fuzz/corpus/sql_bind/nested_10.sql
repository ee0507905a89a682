SELECT array_to_string(['a', 'b', 'c'], '/'), list_element(string_split('x y z', ' '), 2)
