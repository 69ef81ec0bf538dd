^idbpq: cat: missing FILE
