// icebird (hyparam, npm icebird 0.3.1) as an independent smoke reader of Iceberg v1/v2 tables.
//   node icebird_read.mjs ROOT TABLE_DIR   -> {"rows": [...]} of the table's current snapshot
// icebird reads over HTTP fetch only, so ROOT (a local directory holding the table) is served by a
// loopback HTTP server with Range support. icebird finds the metadata through
// TABLE_DIR/metadata/version-hint.text -> v<N>.metadata.json (the hadoop layout) and then fetches
// the paths written in the metadata (absolute local paths or file:// URIs): a fetch wrapper maps
// those under ROOT to the server. Values: bigint as a decimal string, Date as ISO text, bytes as hex.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { icebergRead } from 'icebird';

const [root, tableDir] = process.argv.slice(2).map(p => path.resolve(p));
if (!root || !tableDir) {
  console.error('usage: node icebird_read.mjs ROOT TABLE_DIR');
  process.exit(2);
}

const server = createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  let size;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  const range = /bytes=(\d*)-(\d*)/.exec(req.headers.range || '');
  if (range) {
    let start = range[1] === '' ? size - Number(range[2]) : Number(range[1]);
    let end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    start = Math.max(0, start);
    res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`,
      'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

function toHttp(url) {
  let p = url;
  if (p.startsWith('file://')) p = p.slice('file://'.length);
  if (p.startsWith('/')) {
    if (!p.startsWith(root + '/')) throw new Error(`${url} is outside ${root}`);
    return base + p.slice(root.length).split('/').map(encodeURIComponent).join('/');
  }
  return url;
}

const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => realFetch(typeof input === 'string' ? toHttp(input) : input, init);

function plain(v) {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

let code = 0;
try {
  const rows = await icebergRead({ tableUrl: toHttp(tableDir) });
  console.log(JSON.stringify({ rows: rows.map(plain) }));
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  code = 1;
}
server.close();
process.exit(code);
