// node duckdb_bench.mjs FILE.bench [--repeat N]: runs a benchmark file on an in-memory DuckDB
// (the peer) and prints one JSON object per timed query, like floe_bench.
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
let file = null;
let repeat = 3;
let generate = false;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (args[i] === '--generate') generate = true;
  else file = args[i];
}
if (!file) {
  console.error('usage: node duckdb_bench.mjs FILE.bench [--repeat N]');
  process.exit(2);
}

function readBench(path) {
  const blocks = [];
  let current = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') { current = null; continue; }
    if (line.startsWith('#') && current === null) continue;
    if (current === null) {
      const [kind, name = '', rows = '0', engine = '', file = ''] = line.trim().split(/\s+/);
      if (!['setup', 'query', 'step', 'size', 'load', 'generate', 'datagen', 'before', 'serve'].includes(kind)) {
        throw new Error(`${path}: unexpected line: ${line}`);
      }
      // load NAME ROWS TABLE PATH: engine holds the table, file the path. query NAME [ENGINE].
      current = kind === 'query' ? { kind, name, sql: '', rows: 0, engine: rows === '0' ? '' : rows, path: '' }
                                 : { kind, name, sql: '', rows: Number(rows), engine, path: file };
      blocks.push(current);
      continue;
    }
    current.sql += line + '\n';
  }
  return blocks;
}

// As many threads as Floe gets (BENCH_THREADS, default every core): engine against engine, core for core.
const threads = process.env.BENCH_THREADS ?? String(availableParallelism());
const blocks = readBench(file);
if (generate) {
  // "generate PATH" blocks: DuckDB writes the data files both engines then load.
  const gen = await (await DuckDBInstance.create(':memory:')).connect();
  for (const b of blocks.filter(b => b.kind === 'generate')) {
    if (existsSync(b.name)) continue;
    for (const stmt of b.sql.split(/;\s*\n/).map(s => s.trim()).filter(Boolean)) await gen.run(stmt);
    console.error(`generated ${b.name}`);
  }
  process.exit(0);
}
// A file that measures bytes on disk runs DuckDB on a database file, otherwise in memory.
const onDisk = blocks.some(b => b.kind === 'size');
const dbFile = join(tmpdir(), `duckdb-bench-${process.pid}.duckdb`);
const instance = await DuckDBInstance.create(onDisk ? dbFile : ':memory:', { threads });
const conn = await instance.connect();
const statements = sql => sql.split(/;\s*\n/).map(s => s.trim()).filter(Boolean);
// "before [ENGINE]": statements run, untimed, before every run of the next query block.
let before = '';
for (const b of blocks) {
  if (b.kind === 'before') {
    if (b.name === '' || b.name === 'duckdb') before = b.sql;
    continue;
  }
  if (b.kind === 'setup') {
    if (b.name !== '' && b.name !== 'duckdb') continue;
    for (const stmt of statements(b.sql)) await conn.run(stmt);
    continue;
  }
  if (b.kind === 'step') {
    if (b.engine !== '' && b.engine !== 'duckdb') continue;
    const start = process.hrtime.bigint();
    for (const stmt of statements(b.sql)) await conn.run(stmt);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ engine: 'duckdb', kind: 'step', name: b.name, ms: [ms], rows: b.rows }));
    continue;
  }
  if (b.kind === 'generate' || b.kind === 'datagen' || b.kind === 'serve') continue;
  if (b.kind === 'load') {
    // The peer's bulk load of the same file: COPY ... FROM with the same separator, and Stream
    // Load's conventions: \N is NULL, an empty field is an empty string.
    const headers = Object.fromEntries(b.sql.split('\n').filter(l => l.includes(':'))
      .map(l => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
    const sep = (headers.column_separator ?? '\\t').replace('\\t', '\t');
    const options = headers.format === 'json' ? 'FORMAT json'
                                               : `FORMAT csv, DELIMITER '${sep}', HEADER false, QUOTE '', NULL '\\N'`;
    const start = process.hrtime.bigint();
    await conn.run(`COPY ${b.engine} FROM '${b.path}' (${options})`);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ engine: 'duckdb', kind: 'step', name: b.name, ms: [ms], rows: b.rows,
                                 bytes: statSync(b.path).size }));
    continue;
  }
  if (b.kind === 'size') {
    await conn.run('CHECKPOINT');
    let bytes = statSync(dbFile).size;
    if (existsSync(dbFile + '.wal')) bytes += statSync(dbFile + '.wal').size;
    console.log(JSON.stringify({ engine: 'duckdb', kind: 'size', name: b.name, bytes }));
    continue;
  }
  const beforeEach = before;
  before = '';
  if (b.engine !== '' && b.engine !== 'duckdb') continue;  // query NAME floe: Floe's figure alone
  const ms = [];
  let rows = 0;
  let result = [];
  try {
    for (let r = 0; r < repeat; ++r) {
      for (const stmt of statements(beforeEach)) await conn.run(stmt);
      const start = process.hrtime.bigint();
      const reader = await conn.runAndReadAll(b.sql);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      rows = reader.currentRowCount;
      if (r + 1 === repeat) {
        // The first 200 rows as text, for run.py to compare with Floe's answer.
        result = reader.getRowsJson().slice(0, 200).map(row => row.map(v => (v === null ? null : String(v))));
      }
    }
  } catch (e) {
    console.log(JSON.stringify({ engine: 'duckdb', name: b.name, error: e.message }));
    continue;
  }
  console.log(JSON.stringify({ engine: 'duckdb', name: b.name, ms, rows, result }));
}
if (onDisk) {
  conn.closeSync?.();
  rmSync(dbFile, { force: true });
  rmSync(dbFile + '.wal', { force: true });
}
