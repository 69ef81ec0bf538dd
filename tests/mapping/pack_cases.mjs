// pack_cases.mjs — the table of `idbpq pack` cases of duckdb_check.mjs. Each case:
//   name      short name (in check names)
//   lines     tagged JSON records, one a line ({"key":K,"value":V}, or per `args`)
//   args      extra `idbpq pack` arguments
//   types     column -> the SQL type DuckDB's DESCRIBE must show, from the mapping rules
//             (numbers all integers within ±2^53 and never -0 -> BIGINT, else DOUBLE; strings
//             VARCHAR; booleans BOOLEAN; Date -> TIMESTAMP WITH TIME ZONE; objects STRUCT;
//             arrays and Sets LIST; Map MAP; BigInt BIGINT or DECIMAL(38,0); ArrayBuffer and
//             Uint8Array BLOB; other typed arrays LIST of their element type; disagreeing
//             types VARIANT, or JSON text (VARCHAR) with --json-mixed; out-of-line keys `_key`; non-object
//             values `_value`; `<name>__absent` TINYINT where a property has more than one
//             kind of absence). Any other column fails the check; `_raw` (VARCHAR: JSON text) must be in
//             every file (docs/mapping.md: always, all null when nothing fell back).
//             '*' = any type, or no column.
//   fallbacks how many records go to `_raw` (default 0): what no column can hold
//   values    [{sql, expect}]: DuckDB's result rows (FILE = the packed file), compared as
//             strings; the expectations are the input's values
//   expectRecords  what `idbpq records` prints, when it is not the input itself
const b64 = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).toString('base64');
const bin = (typed, type) => `{"$binary":"${b64(typed)}","$type":"${type}"}`;

const F32 = new Float32Array([1.5, -2, 0.25, 3.4028234663852886e38]);
const F64 = new Float64Array([0.1, -1e300, 5e-324]);
const I16 = new Int16Array([-32768, 0, 32767]);
const U32 = new Uint32Array([0, 4294967295]);
const BI64 = new BigInt64Array([-9223372036854775808n, 1n]);
const I8 = new Int8Array([-128, 127]);
const U8 = new Uint8Array([0, 1, 2, 255]);

export const PACK_CASES = [
    {
        name: 'flat',
        lines: [
            '{"key":1,"value":{"id":1,"name":"ann","score":1.5,"ok":true,"n":10}}',
            '{"key":2,"value":{"id":2,"name":"bob","score":2,"ok":false,"n":-3}}',
            '{"key":3,"value":{"id":3,"name":"cy é 日本","score":-0.25,"ok":true,"n":9007199254740992}}',
        ],
        types: { _key: 'BIGINT', id: 'BIGINT', name: 'VARCHAR', score: 'DOUBLE', ok: 'BOOLEAN', n: 'BIGINT' },
        values: [{
            sql: 'SELECT _key, id, name, score, ok, n FROM FILE ORDER BY _key',
            expect: [[1, 1, 'ann', 1.5, true, 10], [2, 2, 'bob', 2, false, -3], [3, 3, 'cy é 日本', -0.25, true, '9007199254740992']],
        }],
    },
    {
        name: 'flat-one-pass',
        args: ['--one-pass'],
        lines: [
            '{"key":1,"value":{"id":1,"name":"ann","score":1.5,"ok":true}}',
            '{"key":2,"value":{"id":2,"name":"bob","score":2,"ok":false}}',
        ],
        types: { _key: 'BIGINT', id: 'BIGINT', name: 'VARCHAR', score: 'DOUBLE', ok: 'BOOLEAN' },
    },
    {
        name: 'numbers',
        lines: [
            '{"key":1,"value":{"ints":1,"big":1152921504606846976,"negz":1,"nan":1,"edge":9007199254740992,"frac":1}}',
            '{"key":2,"value":{"ints":-7,"big":2,"negz":{"$number":"-0"},"nan":{"$number":"NaN"},"edge":-9007199254740992,"frac":0.5}}',
            '{"key":3,"value":{"ints":0,"big":3,"negz":2,"nan":{"$number":"-Infinity"},"edge":0,"frac":3}}',
        ],
        types: { _key: 'BIGINT', ints: 'BIGINT', big: 'DOUBLE', negz: 'DOUBLE', nan: 'DOUBLE', edge: 'BIGINT', frac: 'DOUBLE' },
        values: [{
            sql: 'SELECT ints, big = 1152921504606846976::DOUBLE, signbit(negz), isnan(nan), isinf(nan), edge, frac FROM FILE ORDER BY _key',
            expect: [[1, true, false, false, false, '9007199254740992', 1], [-7, false, true, true, false, '-9007199254740992', 0.5],
                [0, false, false, false, true, 0, 3]],
        }],
    },
    {
        name: 'dates',
        lines: [
            '{"key":1,"value":{"at":{"$date":1700000000123}}}',
            '{"key":2,"value":{"at":{"$date":0}}}',
            '{"key":3,"value":{"at":{"$date":-86400001}}}',
            '{"key":4,"value":{"at":{"$date":8640000000000000}}}',
        ],
        types: { _key: 'BIGINT', at: 'TIMESTAMP WITH TIME ZONE' },
        values: [{ sql: 'SELECT epoch_ms("at") FROM FILE ORDER BY _key', expect: [['1700000000123'], [0], ['-86400001'], ['8640000000000000']] }],
    },
    {
        name: 'struct',
        lines: [
            '{"key":1,"value":{"user":{"name":"a","age":3,"addr":{"city":"x","zip":"1"}}}}',
            '{"key":2,"value":{"user":{"name":"b","age":40,"addr":{"city":"y","zip":"2"}}}}',
        ],
        types: { _key: 'BIGINT', user: 'STRUCT("name" VARCHAR, age BIGINT, addr STRUCT(city VARCHAR, zip VARCHAR))' },
        values: [{ sql: 'SELECT user.name, user.age, user.addr.city FROM FILE ORDER BY _key', expect: [['a', 3, 'x'], ['b', 40, 'y']] }],
    },
    {
        name: 'lists',
        lines: [
            '{"key":1,"value":{"tags":["a","b"],"nums":[1,2,3],"objs":[{"x":1},{"x":2}],"set":{"$set":["p","q"]}}}',
            '{"key":2,"value":{"tags":[],"nums":[-1],"objs":[],"set":{"$set":[]}}}',
        ],
        types: { _key: 'BIGINT', tags: 'VARCHAR[]', nums: 'BIGINT[]', objs: 'STRUCT(x BIGINT)[]', set: 'VARCHAR[]' },
        values: [{
            sql: 'SELECT tags, nums, len(objs), set FROM FILE ORDER BY _key',
            expect: [[['a', 'b'], [1, 2, 3], 2, ['p', 'q']], [[], [-1], 0, []]],
        }],
    },
    {
        name: 'maps',
        lines: [
            '{"key":1,"value":{"m":{"$map":[["a",1],["b",2]]},"n":{"$map":[[1,"x"],[2,"y"]]}}}',
            '{"key":2,"value":{"m":{"$map":[]},"n":{"$map":[[7,"z"]]}}}',
        ],
        types: { _key: 'BIGINT', m: 'MAP(VARCHAR, BIGINT)', n: 'MAP(BIGINT, VARCHAR)' },
        values: [{
            sql: 'SELECT map_keys(m), map_values(m), map_keys(n), map_values(n) FROM FILE ORDER BY _key',
            expect: [[['a', 'b'], [1, 2], [1, 2], ['x', 'y']], [[], [], [7], ['z']]],
        }],
    },
    {
        name: 'bigint',
        lines: [
            '{"key":1,"value":{"b":{"$bigint":"123"},"d":{"$bigint":"123456789012345678901234567890"}}}',
            '{"key":2,"value":{"b":{"$bigint":"-9223372036854775808"},"d":{"$bigint":"-99999999999999999999999999999999999999"}}}',
            '{"key":3,"value":{"b":{"$bigint":"0"},"d":{"$bigint":"5"}}}',
        ],
        types: { _key: 'BIGINT', b: 'BIGINT', d: 'DECIMAL(38,0)' },
        values: [{
            sql: 'SELECT CAST(b AS VARCHAR), CAST(d AS VARCHAR) FROM FILE ORDER BY _key',
            expect: [['123', '123456789012345678901234567890'], ['-9223372036854775808', '-99999999999999999999999999999999999999'], ['0', '5']],
        }],
    },
    {
        name: 'binary',
        lines: [
            `{"key":1,"value":{"buf":${bin(U8, 'ArrayBuffer')},"u8":${bin(U8, 'Uint8Array')}}}`,
            '{"key":2,"value":{"buf":{"$binary":"","$type":"ArrayBuffer"},"u8":{"$binary":"/w==","$type":"Uint8Array"}}}',
        ],
        types: { _key: 'BIGINT', buf: 'BLOB', u8: 'BLOB' },
        values: [{ sql: 'SELECT to_base64(buf), to_base64(u8) FROM FILE ORDER BY _key', expect: [[b64(U8), b64(U8)], ['', '/w==']] }],
    },
    {
        name: 'typed-arrays',
        lines: [
            `{"key":1,"value":{"f32":${bin(F32, 'Float32Array')},"f64":${bin(F64, 'Float64Array')},"i16":${bin(I16, 'Int16Array')},` +
                `"u32":${bin(U32, 'Uint32Array')},"bi64":${bin(BI64, 'BigInt64Array')},"i8":${bin(I8, 'Int8Array')}}}`,
            '{"key":2,"value":{"f32":{"$binary":"","$type":"Float32Array"},"f64":{"$binary":"","$type":"Float64Array"},' +
                '"i16":{"$binary":"","$type":"Int16Array"},"u32":{"$binary":"","$type":"Uint32Array"},' +
                '"bi64":{"$binary":"","$type":"BigInt64Array"},"i8":{"$binary":"","$type":"Int8Array"}}}',
        ],
        types: { _key: 'BIGINT', f32: 'FLOAT[]', f64: 'DOUBLE[]', i16: 'SMALLINT[]', u32: 'BIGINT[]', bi64: 'BIGINT[]', i8: 'TINYINT[]' },
        values: [{
            sql: 'SELECT f32::DOUBLE[], f64, i16, u32, bi64, i8 FROM FILE ORDER BY _key',
            expect: [[[...F32], [...F64], [...I16], [...U32], [...BI64], [...I8]], [[], [], [], [], [], []]],
        }],
    },
    {
        name: 'variant',
        lines: [
            '{"key":1,"value":{"v":1,"w":"a"}}',
            '{"key":2,"value":{"v":"x","w":"b"}}',
            '{"key":3,"value":{"v":{"a":1,"b":[true,null]},"w":"c"}}',
            '{"key":4,"value":{"v":[1,2.5],"w":"d"}}',
            '{"key":5,"value":{"v":true,"w":"e"}}',
            '{"key":6,"value":{"v":null,"w":"f"}}',
        ],
        types: { _key: 'BIGINT', v: 'VARIANT', w: 'VARCHAR' },
        values: [{
            sql: 'SELECT v FROM FILE ORDER BY _key',
            expect: [[1], ['x'], [{ a: 1, b: [true, null] }], [[1, 2.5]], [true], [null]],
        }],
    },
    {
        name: 'json-mixed',
        args: ['--json-mixed'],
        lines: [
            '{"key":1,"value":{"v":1,"w":"a"}}',
            '{"key":2,"value":{"v":"x","w":"b"}}',
            '{"key":3,"value":{"v":{"a":1},"w":"c"}}',
        ],
        types: { _key: 'BIGINT', v: 'VARCHAR', w: 'VARCHAR' },
        values: [{
            // the column holds each value's tagged JSON text (a plain JSON here)
            sql: 'SELECT v::VARCHAR FROM FILE ORDER BY _key',
            expect: [['1'], ['"x"'], ['{"a":1}']],
        }],
    },
    {
        name: 'string-keys',
        lines: [
            '{"key":"b","value":{"x":1}}',
            '{"key":"a","value":{"x":2}}',
            '{"key":"日本","value":{"x":3}}',
        ],
        types: { _key: 'VARCHAR', x: 'BIGINT' },
        values: [{ sql: 'SELECT _key, x FROM FILE ORDER BY x', expect: [['b', 1], ['a', 2], ['日本', 3]] }],
    },
    {
        name: 'key-path',
        args: ['--key-path', 'id'],
        lines: ['{"value":{"id":5,"x":"a"}}', '{"value":{"id":7,"x":"b"}}'],
        types: { id: 'BIGINT', x: 'VARCHAR' },
        expectRecords: ['{"key":5,"value":{"id":5,"x":"a"}}', '{"key":7,"value":{"id":7,"x":"b"}}'],
    },
    {
        name: 'values',
        args: ['--values'],
        lines: ['"a"', '"b"', '"c"'],
        types: { _key: 'BIGINT', _value: 'VARCHAR' },
        expectRecords: ['{"key":1,"value":"a"}', '{"key":2,"value":"b"}', '{"key":3,"value":"c"}'],
        values: [{ sql: 'SELECT _key, _value FROM FILE ORDER BY _key', expect: [[1, 'a'], [2, 'b'], [3, 'c']] }],
    },
    {
        name: 'fallback-raw',
        lines: [
            '{"key":1,"value":{"name":"ok","n":1}}',
            '{"key":2,"value":{"name":"lone \\ud800 surrogate","n":2}}',
            // $ref numbers count the value's objects from 0 (the value itself), as `idbpq records`
            // prints them (key and value each on their own)
            '{"key":3,"value":{"name":"cycle","n":3,"self":{"$ref":0}}}',
            '{"key":5,"value":{"name":"shared","n":5,"p":{"x":1},"q":{"$ref":1}}}',
            '{"key":4,"value":{"name":"holes","n":4,"a":{"$array":{"length":3,"items":{"0":1,"2":3}}}}}',
        ],
        types: { _key: 'BIGINT', name: 'VARCHAR', n: 'BIGINT', _raw: 'VARCHAR', self: '*', a: '*', p: '*', q: '*' },
        fallbacks: 4, // lone surrogate (STRING), cycle and shared object (GRAPH), holes (ARRAY)
    },
    {
        name: 'absent',
        lines: [
            '{"key":1,"value":{"a":1,"b":null,"c":"x"}}',
            '{"key":2,"value":{"a":null,"b":{"$undefined":true}}}',
            '{"key":3,"value":{"b":2,"c":null}}',
        ],
        types: { _key: 'BIGINT', a: 'BIGINT', b: 'BIGINT', c: 'VARCHAR', a__absent: 'TINYINT', b__absent: 'TINYINT', c__absent: 'TINYINT' },
        values: [{
            // 1 = null, 2 = undefined, null = missing or present
            sql: 'SELECT a, a__absent, b, b__absent, c, c__absent FROM FILE ORDER BY _key',
            expect: [[1, null, null, 1, 'x', null], [null, 1, null, 2, null, null], [null, null, 2, null, null, 1]],
        }],
    },
    {
        // docs/mapping.md: binary values in a VARIANT are "ArrayBuffer or Uint8Array (whichever
        // the path holds more of)": Uint8Arrays nested in the path's objects are all it holds
        name: 'variant-nested-binary',
        lines: [
            '{"key":1,"value":{"h":{"b":{"$binary":"AAE=","$type":"Uint8Array"}}}}',
            '{"key":2,"value":{"h":{"b":{"$binary":"AAI=","$type":"Uint8Array"}}}}',
            '{"key":3,"value":{"h":"x"}}',
        ],
        types: { _key: 'BIGINT', h: 'VARIANT' },
    },
    {
        name: 'only-null',
        lines: ['{"key":1,"value":{"a":null,"b":1}}', '{"key":2,"value":{"a":null,"b":2}}'],
        types: { _key: 'BIGINT', a: 'INTEGER', b: 'BIGINT' },
    },
    {
        name: 'dataview-blob-file',
        lines: [
            '{"key":1,"value":{"dv":{"$binary":"AAECAw==","$type":"DataView"},"big":{"$bigint":"1234567890123456789012345678901234567890"}}}',
            '{"key":2,"value":{"dv":{"$binary":"","$type":"DataView"},"big":{"$bigint":"-5"}}}',
        ],
        types: { _key: 'BIGINT', dv: 'BLOB', big: 'VARCHAR' },
        values: [{ sql: 'SELECT to_base64(dv), big FROM FILE ORDER BY _key', expect: [['AAECAw==', '1234567890123456789012345678901234567890'], ['', '-5']] }],
    },
];
