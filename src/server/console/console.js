// Floe's web console: every figure comes from the HTTP SQL API (POST /api/v1/catalogs/.../sql)
// as the signed-in user, so the console shows exactly what that user may see over MySQL. Data is
// only ever put into the page as text (textContent), never as HTML.
"use strict";

const state = { auth: sessionStorage.getItem("floe.auth"), user: sessionStorage.getItem("floe.user"), tab: "queries", timer: null };

// ---- Talking to the server

class SqlError extends Error {}

// `user`: a statement the user ran (kept in the profiles); the tabs' polling is not.
async function sql(query, user = false) {
  const response = await fetch("/api/v1/catalogs/default_catalog/sql", {
    method: "POST",
    headers: { "Authorization": "Basic " + state.auth, "Content-Type": "application/json",
               "X-Floe-Console": user ? "user" : "poll" },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (response.status === 401) {
    signOut();
    throw new SqlError("signed out: " + text);
  }
  if (!response.ok) {
    let msg = text;
    try { msg = JSON.parse(text).msg || text; } catch (e) { /* not JSON */ }
    throw new SqlError(msg);
  }
  const result = { columns: [], rows: [], explain: null, affected: 0, queryId: response.headers.get("X-StarRocks-Query-Id") };
  for (const line of text.split("\n")) {
    if (!line) continue;
    const o = JSON.parse(line);
    if (o.meta) result.columns = o.meta.map((m) => m.name);
    else if (o.data) result.rows.push(o.data);
    else if (o.explain !== undefined) result.explain = o.explain;
    else if (o.statistics) result.affected = o.statistics.affectedRows || 0;
    else if (o.status === "FAILED") throw new SqlError(o.msg);
  }
  return result;
}

function ident(name) { return "`" + String(name).replace(/`/g, "``") + "`"; }
function literal(text) { return "'" + String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'"; }

// ---- Rendering

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") e.addEventListener("click", v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fill(id, ...children) {
  const target = document.getElementById(id);
  target.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

function errorBox(e) { return el("p", { class: "error" }, String(e.message || e)); }

function bytes(n) {
  if (n === null || n === undefined || n === "") return "";
  n = Number(n);
  const units = ["B", "KB", "MB", "GB", "TB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return (u ? n.toFixed(1) : String(n)) + " " + units[u];
}

// A table of `columns` (names in the result) with optional cell renderers and row clicks.
function table(result, columns, options = {}) {
  const index = {};
  result.columns.forEach((c, i) => { index[c.toUpperCase()] = i; });
  const shown = (columns || result.columns).filter((c) => index[c.toUpperCase()] !== undefined);
  if (result.rows.length === 0) return el("p", { class: "muted" }, options.empty || "Nothing to show.");
  const head = el("tr", {}, ...shown.map((c) => el("th", {}, c)), ...(options.actions ? [el("th", {}, "")] : []));
  const body = result.rows.map((row) => {
    const get = (name) => row[index[name.toUpperCase()]];
    const cells = shown.map((c) => {
      const v = get(c);
      const render = options.render && options.render[c];
      const content = render ? render(v, get) : (v === null ? "" : String(v));
      return el("td", { class: "state-" + String(v) }, content);
    });
    if (options.actions) cells.push(el("td", {}, ...options.actions(get)));
    const tr = el("tr", options.onRow ? { class: "clickable" } : {}, ...cells);
    if (options.onRow) tr.addEventListener("click", () => options.onRow(get));
    return tr;
  });
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...body));
}

// ---- Tabs

async function showQueries() {
  try {
    const running = await sql("SHOW FULL PROCESSLIST");
    fill("running", table(running, ["Id", "User", "Host", "Db", "Command", "Time", "State", "Info", "Progress"], {
      actions: (get) => get("Command") === "Query" && !String(get("Info") || "").startsWith("SHOW FULL PROCESSLIST")
        ? [el("button", { onclick: async (ev) => { ev.stopPropagation(); await run("KILL QUERY " + literal(get("QueryId"))); } }, "Kill")]
        : [],
    }));
  } catch (e) { fill("running", errorBox(e)); }
  try {
    const recent = await sql("SHOW PROFILELIST LIMIT 50");
    fill("recent", table(recent, ["QueryId", "StartTime", "Time", "State", "Statement"], {
      onRow: (get) => showProfile(get("QueryId")),
      empty: "No recent queries of yours.",
    }));
  } catch (e) { fill("recent", errorBox(e)); }
  try {
    const slow = await sql("SELECT queryId, `timestamp`, `user`, queryTime, state, stmt FROM starrocks_audit_db__.starrocks_audit_tbl__ " +
      "WHERE queryTime >= 5000 AND queryType = 'query' ORDER BY `timestamp` DESC LIMIT 20");
    fill("slow", table(slow, null, { onRow: (get) => showProfile(get("queryId")), empty: "No slow statements." }));
  } catch (e) { fill("slow", errorBox(e)); }
}

// ANALYZE PROFILE's lines: three header lines, then one line per operator indented two spaces
// per depth ("NAME rows=.. time=..ms (p%)"), each scan followed by its "SCANNED ..." line.
function profileTree(lines) {
  const root = { children: [], depth: -1 };
  const stack = [root];
  let last = null;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (text.startsWith("SCANNED") && last) { last.scans.push(text); continue; }
    const depth = Math.floor(indent / 2);
    const m = /^(.*?) rows=(\d+)(?: rows_in=(\d+))? time=([\d.]+)ms(?: \(([\d.]+)%\))?(?: mem=(.+))?$/.exec(text);
    const node = { depth, name: m ? m[1] : text, rows: m ? m[2] : "", rowsIn: m ? m[3] : "", time: m ? m[4] : "", pct: m && m[5] ? Number(m[5]) : 0, mem: m && m[6] ? m[6] : "", scans: [], children: [] };
    while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
    stack[stack.length - 1].children.push(node);
    stack.push(node);
    last = node;
  }
  return root.children;
}

function drawNode(node) {
  const heat = node.pct >= 30 ? " hot" : node.pct >= 15 ? " warm" : "";
  const bar = el("span", { class: "bar" });
  bar.style.width = Math.max(1, Math.round(node.pct * 2)) + "px";
  return el("div", { class: "node" + heat, "data-operator": node.name },
    el("span", { class: "name" }, node.name), " ",
    el("span", {}, "rows " + node.rows + (node.rowsIn ? " (in " + node.rowsIn + ")" : "") + " · " + node.time + " ms · " + node.pct + "%" + (node.mem ? " · " + node.mem : "")),
    bar,
    ...node.scans.map((s) => el("div", { class: "scan" }, s)),
    ...node.children.map(drawNode));
}

async function showProfile(queryId) {
  fill("profile", el("p", { class: "muted" }, "Loading the profile of " + queryId + " ..."));
  try {
    const r = await sql("ANALYZE PROFILE FROM " + literal(queryId));
    const lines = r.rows.map((row) => String(row[0]));
    fill("profile", el("h2", {}, "Profile of " + queryId), ...lines.slice(0, 3).map((l) => el("div", { class: "muted" }, l)),
      el("div", { id: "profile-tree" }, ...profileTree(lines.slice(3)).map(drawNode)));
  } catch (e) { fill("profile", errorBox(e)); }
}

async function showLoads() {
  try {
    const jobs = await sql("SELECT DATABASE_NAME, NAME FROM information_schema.routine_load_jobs ORDER BY DATABASE_NAME, NAME");
    const parts = [];
    for (const [db, name] of jobs.rows) {
      const r = await sql("SHOW ALL ROUTINE LOAD FOR " + ident(db) + "." + ident(name));
      parts.push(table(r, ["Name", "DbName", "TableName", "State", "LagMessages", "OffsetLag", "LastCommitTime", "ReasonOfStateChanged", "LastError"], {
        render: {
          OffsetLag: (v) => {
            let lag = {};
            try { lag = JSON.parse(v || "{}"); } catch (e) { return String(v); }
            return el("ul", { class: "lag-list" }, ...Object.entries(lag).map(([p, n]) => el("li", { "data-partition": p }, "partition " + p + ": " + n)));
          },
        },
        actions: (get) => {
          const target = ident(db) + "." + ident(name);
          const s = get("State");
          if (s === "RUNNING" || s === "NEED_SCHEDULE") return [el("button", { onclick: () => run("PAUSE ROUTINE LOAD FOR " + target) }, "Pause")];
          if (s === "PAUSED") return [el("button", { onclick: () => run("RESUME ROUTINE LOAD FOR " + target) }, "Resume")];
          return [];
        },
      }));
    }
    fill("routine-loads", ...(parts.length ? parts : [el("p", { class: "muted" }, "No routine load jobs you may see.")]));
  } catch (e) { fill("routine-loads", errorBox(e)); }
  try {
    const r = await sql("SELECT LABEL, DATABASE_NAME, TABLE_NAME, TYPE, STATE, SCAN_ROWS, FILTERED_ROWS, SINK_ROWS, LOAD_BYTES, CREATE_TIME, ERROR_MSG FROM information_schema.loads ORDER BY CREATE_TIME DESC LIMIT 100");
    fill("load-history", table(r, null, { render: { LOAD_BYTES: (v) => bytes(v) }, empty: "No loads yet." }));
  } catch (e) { fill("load-history", errorBox(e)); }
}

async function showMvs() {
  try {
    const r = await sql("SELECT * FROM information_schema.materialized_views ORDER BY TABLE_SCHEMA, TABLE_NAME");
    fill("mv-list", table(r, ["TABLE_SCHEMA", "TABLE_NAME", "IS_ACTIVE", "INACTIVE_REASON", "REFRESH_TYPE", "IS_FRESH", "STALENESS_SECONDS", "STALE_REASON",
      "LAST_REFRESH_STATE", "LAST_REFRESH_FINISHED_TIME", "LAST_REFRESH_DURATION", "LAST_REFRESH_ERROR_MESSAGE", "NEXT_REFRESH_TIME", "TABLE_ROWS"], {
      actions: (get) => [el("button", { onclick: () => run("REFRESH MATERIALIZED VIEW " + ident(get("TABLE_SCHEMA")) + "." + ident(get("TABLE_NAME"))) }, "Refresh")],
      empty: "No materialized views you may see.",
    }));
  } catch (e) { fill("mv-list", errorBox(e)); }
}

async function showTables() {
  try {
    const r = await sql("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, DATA_LENGTH, CREATE_TIME FROM information_schema.tables " +
      "WHERE TABLE_SCHEMA <> 'information_schema' ORDER BY TABLE_SCHEMA, TABLE_NAME");
    fill("table-list", table(r, null, {
      render: { DATA_LENGTH: (v) => bytes(v) },
      onRow: async (get) => {
        if (get("TABLE_TYPE") === "VIEW") return;
        try {
          const p = await sql("SHOW PARTITIONS FROM " + ident(get("TABLE_SCHEMA")) + "." + ident(get("TABLE_NAME")));
          fill("partitions", el("h2", {}, "Partitions of " + get("TABLE_SCHEMA") + "." + get("TABLE_NAME")), table(p, null, { empty: "No partitions." }));
        } catch (e) { fill("partitions", errorBox(e)); }
      },
      empty: "No tables you may see.",
    }));
  } catch (e) { fill("table-list", errorBox(e)); }
}

async function showLake() {
  try {
    const r = await sql("SELECT * FROM information_schema.tiering ORDER BY TABLE_SCHEMA, TABLE_NAME");
    fill("tiering", table(r, ["TABLE_SCHEMA", "TABLE_NAME", "COLD_TABLE", "MODE", "MOVE_AFTER", "BOUNDARY", "STATE", "HOT_ROWS", "HOT_BYTES",
      "COLD_ROWS", "COLD_BYTES", "LAG_PARTITIONS", "LATE_ROWS", "LAST_MOVE", "NEXT_CHECK", "REASON"], {
      render: { HOT_BYTES: (v) => bytes(v), COLD_BYTES: (v) => bytes(v) },
      empty: "No tiered tables you may see.",
    }));
  } catch (e) { fill("tiering", errorBox(e)); }
  try {
    const r = await sql("SELECT * FROM information_schema.iceberg_table_health");
    fill("health", table(r, null, { render: { DATA_BYTES: (v) => bytes(v) }, empty: "No Iceberg tables you may see." }));
  } catch (e) { fill("health", errorBox(e)); }
}

async function runSql(explain) {
  let text = document.getElementById("sql-text").value.trim().replace(/;\s*$/, "");
  if (explain && !/^explain\b/i.test(text)) text = "EXPLAIN " + text;
  const status = document.getElementById("sql-status");
  status.textContent = "running ...";
  const started = performance.now();
  try {
    const r = await sql(text, true);
    const ms = Math.round(performance.now() - started);
    if (r.explain !== null) {
      fill("sql-result", el("pre", { id: "sql-explain-text" }, r.explain));
      status.textContent = "plan in " + ms + " ms";
    } else if (r.columns.length) {
      fill("sql-result", table(r, null, { empty: "No rows." }));
      status.textContent = r.rows.length + " rows in " + ms + " ms (query id " + (r.queryId || "?") + ")";
    } else {
      fill("sql-result", el("p", {}, "OK, " + r.affected + " rows affected"));
      status.textContent = "done in " + ms + " ms";
    }
  } catch (e) {
    fill("sql-result", errorBox(e));
    status.textContent = "failed";
  }
}

// ---- Charts: SVG line charts over the server's in-memory history

function lineChart(points, series, format) {
  const W = 440, H = 160, L = 48, B = 18;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  if (points.length < 2) {
    add("text", { x: 10, y: H / 2, class: "axis" }, "Collecting: the first points appear after two intervals.");
    return svg;
  }
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  let max = 0;
  for (const p of points) for (const s of series) max = Math.max(max, Number(p[s.key]) || 0);
  if (max === 0) max = 1;
  const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - 4);
  const y = (v) => H - B - (v / max) * (H - B - 8);
  add("line", { x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: "#99a" });
  add("line", { x1: L, y1: 8, x2: L, y2: H - B, stroke: "#99a" });
  add("text", { x: 2, y: 14, class: "axis" }, format(max));
  add("text", { x: 2, y: H - B, class: "axis" }, format(0));
  add("text", { x: L, y: H - 4, class: "axis" }, new Date(t0 * 1000).toLocaleTimeString());
  add("text", { x: W - 60, y: H - 4, class: "axis" }, new Date(t1 * 1000).toLocaleTimeString());
  series.forEach((s, i) => {
    const d = points.map((p, j) => (j ? "L" : "M") + x(p.t).toFixed(1) + " " + y(Number(p[s.key]) || 0).toFixed(1)).join(" ");
    add("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.5, "data-series": s.key });
    add("text", { x: L + 8 + i * 90, y: 16, fill: s.color }, s.label);
  });
  return svg;
}

async function showCharts() {
  try {
    const response = await fetch("/api/console/history", { headers: { "Authorization": "Basic " + state.auth, "X-Floe-Console": "1" } });
    if (response.status === 401) { signOut(); return; }
    const h = await response.json();
    const pts = h.points;
    document.getElementById("chart-interval").textContent = String(h.interval_seconds);
    const num = (v) => (v >= 100 ? Math.round(v) : Math.round(v * 10) / 10).toLocaleString();
    fill("chart-ingest", lineChart(pts, [{ key: "ingest_rows_per_s", label: "rows/s", color: "#2a6fdb" }], num));
    fill("chart-lag", lineChart(pts, [{ key: "routine_load_lag", label: "lag", color: "#d0021b" }], num));
    fill("chart-latency", lineChart(pts, [
      { key: "p50_ms", label: "p50", color: "#2a6fdb" }, { key: "p95_ms", label: "p95", color: "#f5a623" }, { key: "p99_ms", label: "p99", color: "#d0021b" }], num));
    fill("chart-qps", lineChart(pts, [{ key: "qps", label: "statements/s", color: "#2a6fdb" }, { key: "errors_per_s", label: "errors/s", color: "#d0021b" }], num));
    fill("chart-bytes", lineChart(pts, [{ key: "hot_bytes", label: "hot", color: "#f5a623" }, { key: "cold_bytes", label: "cold", color: "#2a6fdb" }], bytes));
  } catch (e) { fill("chart-ingest", errorBox(e)); }
}

const views = { queries: showQueries, loads: showLoads, mvs: showMvs, tables: showTables, lake: showLake, charts: showCharts, sql: null };

async function refresh() {
  const view = views[state.tab];
  // One refresh at a time: a slow tab does not pile up requests.
  if (!view || !state.auth || state.refreshing) return;
  state.refreshing = true;
  try {
    await view();
  } finally {
    state.refreshing = false;
  }
}

// Runs an action (KILL, PAUSE, RESUME, REFRESH) and redraws the tab.
async function run(statement) {
  try {
    await sql(statement, true);
  } catch (e) {
    alert(e.message);
  }
  await refresh();
}

function selectTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== tab;
  refresh();
}

// ---- Signing in and out

function showSignedIn() {
  document.getElementById("login").hidden = true;
  document.getElementById("tabs").hidden = false;
  document.getElementById("signout").hidden = false;
  document.getElementById("who").textContent = state.user || "";
  selectTab(state.tab);
  clearInterval(state.timer);
  state.timer = setInterval(() => { if (state.tab !== "sql") refresh(); }, 3000);
}

function signOut() {
  sessionStorage.removeItem("floe.auth");
  sessionStorage.removeItem("floe.user");
  state.auth = null;
  clearInterval(state.timer);
  document.getElementById("login").hidden = false;
  document.getElementById("tabs").hidden = true;
  document.getElementById("signout").hidden = true;
  document.getElementById("who").textContent = "";
  for (const s of document.querySelectorAll("section.tab")) s.hidden = true;
}

async function signIn(ev) {
  ev.preventDefault();
  const user = document.getElementById("login-user").value;
  const password = document.getElementById("login-password").value;
  const bytesOf = new TextEncoder().encode(user + ":" + password);
  state.auth = btoa(String.fromCharCode(...bytesOf));
  state.user = user;
  try {
    await sql("SELECT current_user()");
  } catch (e) {
    document.getElementById("login-error").textContent = "Sign-in failed: " + e.message;
    return;
  }
  document.getElementById("login-error").textContent = "";
  sessionStorage.setItem("floe.auth", state.auth);
  sessionStorage.setItem("floe.user", user);
  showSignedIn();
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", signIn);
  document.getElementById("signout").addEventListener("click", signOut);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => selectTab(b.dataset.tab));
  document.getElementById("sql-run").addEventListener("click", () => runSql(false));
  document.getElementById("sql-explain").addEventListener("click", () => runSql(true));
  if (state.auth) showSignedIn();
});
