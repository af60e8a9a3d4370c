// iceberg-js (supabase's Iceberg REST catalog client) as the peer of test_iceberg_rest.py:
//   node iceberg_rest_client.mjs '{"baseUrl":..,"warehouse":..,"token":..,"ops":[{"op":"listNamespaces","args":[]},..]}'
// runs each catalog method in order and prints one JSON array: {"ok": <result>} or
// {"error": {"status", "type", "message"}} per operation (an error does not stop the rest).
import { IcebergRestCatalog, IcebergError } from 'iceberg-js';

const spec = JSON.parse(process.argv[2]);
const catalog = new IcebergRestCatalog({
  baseUrl: spec.baseUrl,
  warehouse: spec.warehouse,
  auth: spec.token ? { type: 'bearer', token: spec.token } : { type: 'none' },
});
const results = [];
for (const { op, args = [] } of spec.ops) {
  try {
    const value = await catalog[op](...args);
    results.push({ ok: value === undefined ? null : value });
  } catch (e) {
    if (e instanceof IcebergError) {
      results.push({ error: { status: e.status, type: e.icebergType ?? null, message: e.message } });
    } else {
      results.push({ error: { status: -1, type: e.name, message: String(e && e.message) } });
    }
  }
}
console.log(JSON.stringify(results));
