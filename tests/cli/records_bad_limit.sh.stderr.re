^idbpq: records: --limit
