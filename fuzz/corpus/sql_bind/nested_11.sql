SELECT array_to_string([1, NULL, 3], '-'), array_to_string(string_split('2024-01-15', '-'), '')
