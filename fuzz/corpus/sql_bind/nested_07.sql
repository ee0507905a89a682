SELECT {'a': 1, 'b': 'x'}.b, {'a': 1, 'b': 'x'}['a'], struct_pack(k := 42, v := 'w').v
