^idbpq: records: unknown option '--bigint'
