^idbpq: records: --key-column: no top-level column 'nope'
