SELECT string_split(NULL, ',')
