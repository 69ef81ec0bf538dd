unknown column 'nope'
