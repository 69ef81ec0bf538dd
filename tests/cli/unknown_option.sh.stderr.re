^idbpq: schema: unknown option '--frob'
