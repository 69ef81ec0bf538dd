// foreign_cases.mjs — Parquet files DuckDB writes (COPY (sql) TO file), read with
// `idbpq records` by duckdb_check.mjs. Each case:
//   name      short name
//   sql       the SELECT DuckDB copies to Parquet
//   variants  [{args}]: `idbpq records` options, each a check (default: none)
//   readOnly  [[args]]: runs that must only succeed with one line per row (types whose
//             JavaScript form no rule pins down)
//   optional  1: skip (with a comment) when this DuckDB cannot write it
// Timestamps are whole milliseconds: the rules map them to Dates (ms).
const ROWS_SCALARS = `
  SELECT * FROM (VALUES
    (1, 7::INTEGER, 9007199254740993::BIGINT, -5::TINYINT, 65535::USMALLINT, 18446744073709551615::UBIGINT,
     1.50::DECIMAL(10,2), 12345678901234567890.1234567891::DECIMAL(38,10), 0.1::DECIMAL(4,1),
     DATE '2024-02-29', TIMESTAMP '2021-03-04 05:06:07.123', TIMESTAMPTZ '1969-12-31 23:59:59.999+00',
     '5f2d0c1c-8a3e-4f55-9b1a-0123456789ab'::UUID, '\\x00\\xFFab'::BLOB, 'héllo 日本', true,
     1.1::FLOAT, 0.1::DOUBLE),
    (2, (-2147483647 - 1)::INTEGER, 9007199254740992::BIGINT, 127::TINYINT, 0::USMALLINT, 42::UBIGINT,
     -0.07::DECIMAL(10,2), -1.5::DECIMAL(38,10), -999.9::DECIMAL(4,1),
     DATE '1900-01-01', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '2262-04-11 23:47:16.854+00',
     '00000000-0000-0000-0000-000000000000'::UUID, ''::BLOB, '', false,
     'inf'::FLOAT, 'nan'::DOUBLE),
    (3, NULL, (-9223372036854775807 - 1)::BIGINT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     '-inf'::DOUBLE),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
  ) t(id, i32, i64, i8, u16, u64, dec10, dec38, dec4, dt, ts, tsz, uuid, blob, str, bool, f32, f64)
  ORDER BY id`;

const ROWS_NESTED = `
  SELECT * FROM (VALUES
    (1, {'a': 1, 'b': 'x'}, [1, 2, 3], ['p', NULL, 'q'], MAP {'k1': 1, 'k2': 2}, MAP {10: 'ten', -1: 'minus'},
     [{'x': [1, 2], 'y': MAP {'z': {'d': 1.5}}}], {'inner': {'deep': [DATE '2020-01-01']}}, '{"a":[1,2],"b":null}'::JSON),
    (2, {'a': NULL, 'b': NULL}, [], [], MAP {}::MAP(VARCHAR, INTEGER), MAP {}::MAP(INTEGER, VARCHAR),
     [], {'inner': NULL}, '"s"'::JSON),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
  ) t(id, st, l, lv, m1, m2, nest, deep, j)
  ORDER BY id`;

export const FOREIGN_CASES = [
    {
        name: 'scalars',
        sql: ROWS_SCALARS,
        variants: [
            { args: [] },
            { args: ['--int64-bigint'] },
            { args: ['--decimal-string'] },
            { args: ['--nulls-omit'] },
            { args: ['--key-column', 'id'] },
            { args: ['--limit', '2'] },
        ],
    },
    {
        name: 'nested',
        sql: ROWS_NESTED,
        variants: [
            { args: [] },
            { args: ['--map-object'] },
            { args: ['--json-parse'] },
            { args: ['--nulls-omit'] },
        ],
    },
    {
        name: 'timestamp-units',
        sql: `SELECT * FROM (VALUES
                (TIMESTAMP_MS '2001-02-03 04:05:06.789', TIMESTAMP_NS '2001-02-03 04:05:06.789', TIMESTAMP_S '2001-02-03 04:05:06'),
                (TIMESTAMP_MS '1960-01-01 00:00:00.001', TIMESTAMP_NS '1960-01-01 00:00:00.001', TIMESTAMP_S '1960-01-01 00:00:00'))
              t(ms, ns, s)`,
    },
    {
        name: 'time',
        sql: `SELECT * FROM (VALUES (1, TIME '12:34:56.789'), (2, TIME '00:00:00'), (3, NULL)) t(id, t) ORDER BY id`,
    },
    {
        name: 'interval',
        sql: `SELECT * FROM (VALUES (1, INTERVAL '14 months 3 days 04:05:06.789'), (2, INTERVAL '1 day'), (3, NULL))
              t(id, iv) ORDER BY id`,
    },
    {
        name: 'variant',
        optional: 1,
        sql: `SELECT * FROM (VALUES
                (1, 1::VARIANT), (2, 'x'::VARIANT), (3, {'a': 1, 'b': [true, NULL]}::VARIANT),
                (4, [1, 2]::VARIANT), (5, 9007199254740993::BIGINT::VARIANT), (6, 1.5::DOUBLE::VARIANT),
                (7, NULL::VARIANT), (8, DATE '2020-01-01'::VARIANT))
              t(id, v) ORDER BY id`,
    },
];
