// DuckDB as a long-lived peer for test/fuzz/differential.py: one node process answers many queries.
//
// Protocol: one JSON object per line on stdin, one JSON answer per line on stdout, in order.
//   {"id": 7, "sql": "SELECT ...", "db": "main"}   db is optional; each name is its own in-memory database
//   -> {"id": 7, "ok": true, "columns": [...], "types": ["BIGINT", ...], "rows": [[...], ...]}
//   -> {"id": 7, "ok": false, "error": "message"}
//   {"id": 8, "reset": "red"}                        drops in-memory database "red" (a fresh one on next use)
// Values come as DuckDB's JSON rendering (getRowsJson): BIGINT/HUGEINT and DECIMAL as text, DATE as
// 'YYYY-MM-DD', DOUBLE as a number (NaN/Infinity as text), BOOLEAN as true/false, NULL as null.
//
// @duckdb/node-api is installed under test/integration/node_modules (cd test/integration && npm install).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import readline from 'node:readline';

const require = createRequire(new URL('../integration/package.json', import.meta.url));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const databases = new Map();

async function connection(name) {
  let entry = databases.get(name);
  if (!entry) {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    entry = { instance, conn: await instance.connect() };
    databases.set(name, entry);
  }
  return entry.conn;
}

async function answer(request) {
  if (request.reset !== undefined) {
    const entry = databases.get(request.reset);
    if (entry) {
      entry.conn.closeSync?.();
      databases.delete(request.reset);
    }
    return { id: request.id, ok: true };
  }
  try {
    const conn = await connection(request.db ?? 'main');
    const reader = await conn.runAndReadAll(request.sql);
    return {
      id: request.id,
      ok: true,
      columns: reader.columnNames(),
      types: reader.columnTypes().map(t => t.toString()),
      rows: reader.getRowsJson(),
    };
  } catch (e) {
    return { id: request.id, ok: false, error: String(e && e.message ? e.message : e) };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: null, ok: false, error: 'bad request: ' + e.message }) + '\n');
    continue;
  }
  process.stdout.write(JSON.stringify(await answer(request)) + '\n');
}
