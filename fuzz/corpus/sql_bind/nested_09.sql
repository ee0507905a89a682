SELECT string_split('a,b,,c', ','), str_split('x', ',')
