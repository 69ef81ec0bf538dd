^idbpq: cat: --limit
