// node iceberg_parquet.mjs SPEC.json: the Parquet half of bench/gen/iceberg.py. DuckDB reads each
// table's '|'-separated .tbl file, sorts it, and writes it as several Parquet data files carrying
// Iceberg field ids (COPY ... FIELD_IDS); then it reads every file back for the per-file metrics
// an Iceberg manifest records (row count, size, per-column compressed size, value and null counts,
// min/max, row-group offsets). Prints one JSON object: {"<table>": [{file metrics}, ...]}.
//
// SPEC.json: {"tables": [{"name", "tbl", "dir", "files", "row_group_size", "sort": [col, ...],
//             "columns": [{"name", "id", "duckdb"}]}]}
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const conn = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async sql => (await conn.runAndReadAll(sql)).getRowsJson();
const quote = s => `'${s.replaceAll("'", "''")}'`;

const out = {};
for (const t of spec.tables) {
  const columns = t.columns.map(c => `${c.name}: ${quote(c.duckdb)}`).join(', ');
  await conn.run(`CREATE TABLE src AS SELECT * FROM read_csv(${quote(t.tbl)}, delim = '|', header = false, ` +
                 `quote = '', escape = '', columns = {${columns}})`);
  // The table in its sort order, numbered, then cut into files of equal row counts.
  await conn.run(`CREATE TABLE sorted AS SELECT row_number() OVER (ORDER BY ${t.sort.join(', ')}) - 1 AS rn, * FROM src`);
  await conn.run('DROP TABLE src');
  const total = Number((await rows('SELECT count(*) FROM sorted'))[0][0]);
  const per = Math.ceil(total / t.files);
  const names = t.columns.map(c => c.name);
  const ids = t.columns.map(c => `${c.name}: ${c.id}`).join(', ');
  mkdirSync(t.dir, { recursive: true });
  const files = [];
  for (let i = 0; i < t.files; ++i) {
    const path = join(t.dir, `${String(i).padStart(5, '0')}-0-${t.name}.parquet`);
    await conn.run(`COPY (SELECT ${names.join(', ')} FROM sorted WHERE rn >= ${i * per} AND rn < ${(i + 1) * per} ` +
                   `ORDER BY rn) TO ${quote(path)} (FORMAT parquet, COMPRESSION zstd, ` +
                   `ROW_GROUP_SIZE ${t.row_group_size}, FIELD_IDS {${ids}})`);
    // Metrics from the file as written: counts and bounds from its values, sizes and row-group
    // starts from its footer.
    const agg = names.map(n => `count(*) - count(${n}), min(${n})::VARCHAR, max(${n})::VARCHAR`);
    const [values] = await rows(`SELECT count(*), ${agg.join(', ')} FROM read_parquet(${quote(path)})`);
    const sizes = Object.fromEntries(await rows(
        `SELECT path_in_schema, sum(total_compressed_size)::BIGINT FROM parquet_metadata(${quote(path)}) GROUP BY 1`));
    const offsets = await rows(
        `SELECT min(coalesce(dictionary_page_offset, data_page_offset))::BIGINT FROM parquet_metadata(${quote(path)}) ` +
        'GROUP BY row_group_id ORDER BY 1');
    const metrics = {};
    t.columns.forEach((c, k) => {
      metrics[c.id] = {
        size: Number(sizes[c.name] ?? 0),
        values: Number(values[0]),  // Iceberg's value count includes nulls
        nulls: Number(values[1 + 3 * k]),
        min: values[2 + 3 * k],
        max: values[3 + 3 * k],
      };
    });
    files.push({ path, records: Number(values[0]), size: statSync(path).size,
                 split_offsets: offsets.map(r => Number(r[0])), columns: metrics });
    console.error(`wrote ${path} (${values[0]} rows)`);
  }
  await conn.run('DROP TABLE sorted');
  out[t.name] = files;
}
console.log(JSON.stringify(out));
