^idbpq: unknown command 'frobnicate'
