// DuckDB as the Parquet peer of the round-trip tests (test_parquet_roundtrip.py):
//   node duckdb_parquet.mjs read 'GLOB'         -> {"types": {...}, "rows": [...]} of read_parquet(GLOB)
//   node duckdb_parquet.mjs write PATH CODEC    -> writes DuckDB's typed sample table to PATH
//   node duckdb_parquet.mjs sql 'SQL'           -> {"rows": [...]} of any query
// Values come as DuckDB's JSON rendering (getRowObjectsJson: big integers and decimals as text).
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, arg, codec = 'snappy'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();

async function query(sql) {
  const reader = await conn.runAndReadAll(sql);
  const names = reader.columnNames();
  const types = reader.columnTypes().map(t => t.toString());
  return { types: Object.fromEntries(names.map((n, i) => [n, types[i]])), rows: reader.getRowObjectsJson() };
}

if (mode === 'read') {
  console.log(JSON.stringify(await query(`SELECT * FROM read_parquet('${arg}') ORDER BY 1`)));
} else if (mode === 'sql') {
  console.log(JSON.stringify(await query(arg)));
} else if (mode === 'write') {
  await conn.run(`CREATE TABLE sample AS SELECT * FROM (VALUES
    (1, true, (-8)::TINYINT, 300::SMALLINT, 70000::INTEGER, 9000000000::BIGINT, 200::UTINYINT, 60000::USMALLINT,
     4000000000::UINTEGER, 18000000000000000000::UBIGINT, 1.5::FLOAT, 2.25::DOUBLE, 1234567.89::DECIMAL(9,2),
     (-12345678901234.5678)::DECIMAL(18,4), 1234567890123456789012345678.0123456789::DECIMAL(38,10),
     DATE '2024-02-29', TIMESTAMP '2024-02-29 12:34:56.123456', TIMESTAMP_MS '2001-01-01 00:00:00.123',
     TIMESTAMP_NS '1999-12-31 23:59:59.999999999', 'héllo', '\\x00\\xff'::BLOB,
     [1, 2, NULL], {'a': 1, 'b': 'x'}, MAP {'k1': 10, 'k2': 20}, 'c0ffee00-0000-4000-8000-000000000001'::UUID),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL),
    (3, false, 127::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER, (-9223372036854775808)::BIGINT, 0::UTINYINT,
     0::USMALLINT, 0::UINTEGER, 0::UBIGINT, (-0.0)::FLOAT, 1e300::DOUBLE, (-0.01)::DECIMAL(9,2), 0::DECIMAL(18,4),
     (-1)::DECIMAL(38,10), DATE '1970-01-01', TIMESTAMP '1900-01-01 00:00:00', TIMESTAMP_MS '1970-01-01 00:00:00',
     TIMESTAMP_NS '2262-04-11 00:00:00', '', ''::BLOB, [], {'a': NULL, 'b': NULL}, MAP {}, NULL)
  ) t(id, b, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, d9, d18, d38, dt, ts, ts_ms, ts_ns, s, bin, lst, st, mp, uu)`);
  // Enough rows for several pages and a dictionary.
  await conn.run(`INSERT INTO sample SELECT 100 + range, range % 2 = 0, (range % 100)::TINYINT, range::SMALLINT,
    range::INTEGER, range * 1000003, (range % 200)::UTINYINT, range::USMALLINT, range::UINTEGER, range::UBIGINT,
    range / 7, range / 3, (range / 100)::DECIMAL(9,2), range::DECIMAL(18,4), range::DECIMAL(38,10),
    DATE '2020-01-01' + (range % 1000)::INTEGER, TIMESTAMP '2020-01-01' + INTERVAL (range) SECOND,
    TIMESTAMP_MS '2020-01-01', TIMESTAMP_NS '2020-01-01', 'v' || (range % 37), NULL, [range], {'a': range, 'b': 'y'},
    MAP {'k': range}, NULL FROM range(20000)`);
  await conn.run(`COPY sample TO '${arg}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 8192)`);
  console.log(JSON.stringify(await query('SELECT * FROM sample ORDER BY id')));
}
