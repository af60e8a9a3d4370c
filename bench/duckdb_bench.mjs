// node duckdb_bench.mjs FILE.bench [--repeat N]: runs a benchmark file on an in-memory DuckDB
// (the peer) and prints one JSON object per timed query, like floe_bench.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let file = null;
let repeat = 3;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--repeat') repeat = Number(args[++i]);
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
      const [kind, name = ''] = line.trim().split(/\s+/);
      if (kind !== 'setup' && kind !== 'query') throw new Error(`${path}: unexpected line: ${line}`);
      current = { kind, name, sql: '' };
      blocks.push(current);
      continue;
    }
    current.sql += line + '\n';
  }
  return blocks;
}

// One thread, as Floe executes today: the comparison is engine against engine, core for core.
const threads = process.env.BENCH_DUCKDB_THREADS ?? '1';
const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
for (const b of readBench(file)) {
  if (b.kind === 'setup') {
    if (b.name !== '' && b.name !== 'duckdb') continue;
    for (const stmt of b.sql.split(/;\s*\n/).map(s => s.trim()).filter(Boolean)) await conn.run(stmt);
    continue;
  }
  const ms = [];
  let rows = 0;
  for (let r = 0; r < repeat; ++r) {
    const start = process.hrtime.bigint();
    const reader = await conn.runAndReadAll(b.sql);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    rows = reader.currentRowCount;
  }
  console.log(JSON.stringify({ engine: 'duckdb', name: b.name, ms, rows }));
}
