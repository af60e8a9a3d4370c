// node mysql2: query() (client-side interpolation) and execute() (binary protocol, DOUBLE params).
const mysql = require('mysql2/promise');

async function main() {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: Number(process.argv[2]), user: 'root' });
  const [q] = await conn.query('SELECT 1 + ? AS x, ? AS s', [1, 'héllo']);
  console.log('query', q[0].x, q[0].s);
  const [e] = await conn.execute('SELECT ? + 1 AS x', [41]);
  console.log('execute', e[0].x);
  const [e2] = await conn.execute('SELECT concat(?, ?) AS s, ? AS n', ['a', 'b', null]);
  console.log('execute2', e2[0].s, e2[0].n);
  await conn.query('CREATE DATABASE IF NOT EXISTS db_node');
  const [dbs] = await conn.query('SHOW DATABASES');
  for (const row of dbs) console.log('db', row.Database);
  await conn.end();
}

main().catch((err) => {
  console.error('FAILED', err);
  process.exit(1);
});
