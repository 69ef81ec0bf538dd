// gen.mjs — writes the benchmark inputs with DuckDB, deterministically (range() + hash(),
// no random()), as ZSTD Parquet:
//   lineitem.parquet  TPC-H lineitem shape, 16 columns (default 2,000,000 rows)
//   events.parquet    nested: STRUCT with a LIST, LIST<STRUCT>, MAP, with nulls and empty lists
//                     (default 500,000 rows)
// Usage: node bench/gen.mjs OUTDIR [--lineitem-rows N] [--events-rows N] [--force]
// A file is kept if it exists and was made by the same SQL (NAME.parquet.sql-sha256 beside it
// holds the hash), unless --force; run.sh caches them in bench/out/.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const outdir = args[0];
if (!outdir) {
    console.error('usage: node gen.mjs OUTDIR [--lineitem-rows N] [--events-rows N] [--force]');
    process.exit(2);
}
const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
};
const force = args.includes('--force');
const LINEITEM_ROWS = opt('--lineitem-rows', 2_000_000);
const EVENTS_ROWS = opt('--events-rows', 500_000);

// Words for l_comment: TPC-H's comments are pseudo-text drawn from a small grammar, so they
// compress like text (not like md5 hex).
const WORDS = ['furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'fluffily', 'final',
    'regular', 'express', 'pending', 'ironic', 'special', 'bold', 'even', 'silent', 'unusual',
    'requests', 'deposits', 'packages', 'accounts', 'instructions', 'theodolites', 'foxes',
    'pinto', 'beans', 'ideas', 'dependencies', 'platelets', 'asymptotes', 'courts', 'dolphins',
    'sleep', 'wake', 'nag', 'haggle', 'cajole', 'use', 'boost', 'affix', 'detect', 'integrate',
    'among', 'above', 'after', 'against', 'along', 'the', 'across', 'about'];
const sqlList = (a) => `[${a.map((w) => `'${w}'`).join(', ')}]`;

const lineitemSql = (file, n) => `
COPY (
  WITH base AS (
    SELECT i,
           1 + (i // 4) + ((i // 4) // 8) * 24                       AS okey,
           1 + (hash(i, 'partkey') % ${Math.max(1, Math.round(n / 30))})::INTEGER AS pkey
    FROM range(${n}) t(i)
  ), d AS (
    SELECT *,
           DATE '1992-01-01' + (hash(okey, 'odate') % 2406)::INTEGER AS odate,
           (1 + hash(i, 'qty') % 50)::DECIMAL(15,2)                  AS qty
    FROM base
  ), e AS (
    SELECT *,
           odate + (1 + hash(i, 'ship') % 121)::INTEGER              AS sdate,
           odate + (30 + hash(i, 'commit') % 61)::INTEGER            AS cdate
    FROM d
  ), f AS (
    SELECT *, sdate + (1 + hash(i, 'receipt') % 30)::INTEGER          AS rdate FROM e
  )
  SELECT
    okey::BIGINT                                                    AS l_orderkey,
    pkey                                                            AS l_partkey,
    (1 + hash(i, 'suppkey') % ${Math.max(1, Math.round(n / 600))})::INTEGER AS l_suppkey,
    (1 + i % 4)::INTEGER                                            AS l_linenumber,
    qty                                                             AS l_quantity,
    (qty * ((90000 + (pkey // 10) % 20001 + 100 * (pkey % 1000)) / 100.0))::DECIMAL(15,2)
                                                                    AS l_extendedprice,
    ((hash(i, 'disc') % 11) / 100.0)::DECIMAL(15,2)                 AS l_discount,
    ((hash(i, 'tax') % 9) / 100.0)::DECIMAL(15,2)                   AS l_tax,
    CASE WHEN rdate <= DATE '1995-06-17'
         THEN (CASE WHEN hash(i, 'rf') % 2 = 0 THEN 'R' ELSE 'A' END)
         ELSE 'N' END                                               AS l_returnflag,
    CASE WHEN sdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END       AS l_linestatus,
    sdate                                                           AS l_shipdate,
    cdate                                                           AS l_commitdate,
    rdate                                                           AS l_receiptdate,
    (['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'])[1 + (hash(i, 'instr') % 4)::INTEGER]
                                                                    AS l_shipinstruct,
    (['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'])[1 + (hash(i, 'mode') % 7)::INTEGER]
                                                                    AS l_shipmode,
    left(concat_ws(' ', ${[0, 1, 2, 3, 4, 5, 6, 7].map((k) =>
        `(${sqlList(WORDS)})[1 + (hash(i, 'w${k}') % ${WORDS.length})::INTEGER]`).join(',\n                    ')}),
         (10 + hash(i, 'clen') % 34)::INTEGER)                      AS l_comment
  FROM f
  ORDER BY i
) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`;

const TAGS = ['red', 'green', 'blue', 'admin', 'beta', 'mobile', 'desktop', 'eu', 'us', 'vip'];
const NAMES = ['ada', 'grace', 'linus', 'barbara', 'ken', 'dennis', 'margaret', 'edsger',
    'donald', 'frances', 'john', 'radia'];
const PROP_KEYS = ['color', 'size', 'lang', 'os', 'src'];

const eventsSql = (file, n) => `
COPY (
  SELECT
    i::BIGINT AS id,
    TIMESTAMP '2024-01-01 00:00:00' + to_milliseconds((i * 1000 + hash(i, 'ts') % 997)::BIGINT) AS ts,
    CASE WHEN hash(i, 'unull') % 20 = 0 THEN NULL ELSE {
      'id': (hash(i, 'uid') % 50000)::INTEGER,
      'name': CASE WHEN hash(i, 'nnull') % 10 = 0 THEN NULL
                   ELSE (${sqlList(NAMES)})[1 + (hash(i, 'name') % ${NAMES.length})::INTEGER]
                        || '_' || (hash(i, 'nsuf') % 1000)::VARCHAR END,
      'tags': CASE WHEN hash(i, 'tnull') % 10 = 0 THEN NULL
                   ELSE list_transform(range((hash(i, 'ntags') % 4)::BIGINT),
                          lambda x: (${sqlList(TAGS)})[1 + (hash(i, x, 'tag') % ${TAGS.length})::INTEGER]) END
    } END AS "user",
    CASE WHEN hash(i, 'inull') % 20 = 0 THEN NULL
         ELSE list_transform(range((hash(i, 'nitems') % 5)::BIGINT),
                lambda x: {
                  'sku': 'SKU-' || lpad((hash(i, x, 'sku') % 20000)::VARCHAR, 5, '0'),
                  'qty': (1 + hash(i, x, 'iqty') % 9)::INTEGER,
                  'price': round((hash(i, x, 'price') % 100000) / 100.0, 2)::DOUBLE
                }) END AS items,
    CASE WHEN hash(i, 'pnull') % 10 = 0 THEN NULL
         ELSE map_from_entries(list_transform(range((hash(i, 'nprops') % 4)::BIGINT),
                lambda x: {
                  'k': (${sqlList(PROP_KEYS)})[1 + ((hash(i, 'pk') + x) % ${PROP_KEYS.length})::INTEGER],
                  'v': 'v' || (hash(i, x, 'pv') % 100)::VARCHAR
                })) END AS props
  FROM range(${n}) t(i)
  ORDER BY i
) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`;

fs.mkdirSync(outdir, { recursive: true });
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
for (const [name, sql, n] of [['lineitem', lineitemSql, LINEITEM_ROWS], ['events', eventsSql, EVENTS_ROWS]]) {
    const file = path.join(outdir, `${name}.parquet`);
    const stampFile = `${file}.sql-sha256`;
    const tmp = `${file}.tmp`;
    const text = sql(tmp.replace(/\.tmp$/, ''), n);
    const stamp = crypto.createHash('sha256').update(text).digest('hex');
    const old = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null;
    if (!force && fs.existsSync(file) && old === stamp) {
        console.error(`gen: ${file} is up to date (kept)`);
        continue;
    }
    const t0 = performance.now();
    await con.run(sql(tmp, n));
    fs.renameSync(tmp, file);
    fs.writeFileSync(stampFile, stamp + '\n');
    console.error(`gen: ${file}: ${n} rows, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
