// The status page's only script: asks for an API key, then polls GET /status (and GET /alarms/recent) every two
// seconds and redraws. Plain DOM, no framework, no network beyond this origin. Text from the server is only ever set
// as textContent, never as markup.
"use strict";

(() => {
  const keyName = "ingest.apiKey";
  const pollMs = 2000;
  const alarmLimit = 20;
  const vehicleLimit = 50;
  // After a 404 (a node without alarm events) ask again only every this many polls, not every two seconds.
  const alarmRetryPolls = 30;
  let timer = 0;
  let generation = 0;
  let alarmsSkip = 0;
  let lastAlarms = { status: 0, body: null };

  const $ = (id) => document.getElementById(id);

  function key() { return sessionStorage.getItem(keyName); }

  function showKeyForm(message) {
    clearTimeout(timer);
    generation++;
    $("dashboard").hidden = true;
    $("key-form").hidden = false;
    setStatus(message, !!message && message !== "Enter an API key.");
    $("api-key").focus();
  }

  function setStatus(text, bad) {
    const line = $("status-line");
    line.textContent = text;
    line.className = bad ? "bad" : "";
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { "X-Api-Key": key(), "Accept": "application/json" }, cache: "no-store" });
    return { status: response.status, body: response.ok ? await response.json() : null };
  }

  const count = (n) => (n === null || n === undefined ? "–" : String(n));
  const rate = (n) => (n === null || n === undefined ? "–" : n.toFixed(1));
  const millis = (s) => (s === null || s === undefined ? "–" : (s * 1000).toFixed(2) + " ms");
  const time = (t) => (t ? t.substring(0, 19).replace("T", " ") : "–");
  function bytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = n, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  // Every element marked data-field="a.b" shows that field of the snapshot, formatted; data-value keeps the raw value.
  const formats = {
    "frames.per_second": rate,
    "frames.window_seconds": (s) => s.toFixed(0),
    "ack_latency.p50_seconds": millis,
    "ack_latency.p99_seconds": millis,
    "spool.disk_bytes": bytes,
    "spool.disk_budget_bytes": bytes,
    "spool.accepting": (b) => (b ? "yes" : "NO: frames are refused"),
    "at": time,
    "vehicles.count": (n) => `${n} shown`,
  };

  function fieldOf(snapshot, path) {
    if (path === "vehicles.count") return snapshot.vehicles.items.length;
    return path.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), snapshot);
  }

  function cell(row, text, raw, numeric) {
    const td = document.createElement("td");
    td.textContent = text;
    if (raw !== undefined && raw !== null) td.dataset.value = String(raw);
    if (numeric) td.className = "num";
    row.appendChild(td);
    return td;
  }

  function fill(tableId, items, keyOf, columns, empty) {
    const body = $(tableId).tBodies[0];
    const rows = items.map((item) => {
      const tr = document.createElement("tr");
      tr.dataset.key = keyOf(item);
      for (const [text, raw, numeric, cls] of columns(item)) {
        const td = cell(tr, text, raw, numeric);
        if (cls) td.classList.add(cls);
      }
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell(tr, empty);
      td.colSpan = $(tableId).tHead.rows[0].cells.length;
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }

  function render(s) {
    for (const el of document.querySelectorAll("[data-field]")) {
      const path = el.dataset.field;
      const value = fieldOf(s, path);
      el.textContent = (formats[path] || count)(value);
      el.dataset.value = value === null || value === undefined ? "" : String(value);
      el.classList.toggle("bad", path === "spool.accepting" && !value);
    }
    fill("listeners", s.listeners, (l) => l.name, (l) => [
      [l.name], [l.protocol], [count(l.port), l.port, true], [count(l.connections_active), l.connections_active, true],
      [count(l.connections_max), l.connections_max, true], [count(l.connections_opened), l.connections_opened, true],
      [count(l.connections_refused), l.connections_refused, true, l.connections_refused > 0 ? "warn" : ""],
      [count(l.logins), l.logins, true],
    ], "No terminal listener.");
    fill("consumers", s.spool.consumers, (c) => c.name, (c) => [
      [c.name], [c.state, c.state, false, c.state === "retrying" || c.state === "not_running" ? "bad" : ""],
      [bytes(c.lag_bytes), c.lag_bytes, true], [c.last_error || ""],
    ], "No consumer.");
    fill("links", s.links, (l) => l.name, (l) => [
      [l.name], [l.state, l.state, false, l.state === "backoff" ? "bad" : ""],
      [bytes(l.backlog_bytes), l.backlog_bytes, true], [count(l.frames_relayed), l.frames_relayed, true],
    ], "No superior platform configured.");
    fill("vehicles", s.vehicles.items, (v) => v.vin, (v) => [
      [v.vin], [v.protocol || "–"], [time(v.last_seen), v.last_seen], [rate(v.speed_kmh), v.speed_kmh, true],
      [rate(v.soc_pct ?? v.fuel_level_pct), v.soc_pct ?? v.fuel_level_pct, true], [rate(v.odometer_km), v.odometer_km, true],
      [count(v.alarm_level), v.alarm_level, true, v.alarm_level >= 3 ? "bad" : ""],
      [v.mil === true ? "on" : v.mil === false ? "off" : "–", v.mil, false, v.mil ? "bad" : ""],
      [v.latitude === null || v.latitude === undefined ? "–"
        : `${v.latitude.toFixed(5)}, ${v.longitude.toFixed(5)}${v.position_valid === false ? " (invalid)" : ""}`],
    ], s.vehicles.query ? `No online vehicle matches “${s.vehicles.query}”.` : "No vehicle online.");
  }

  function renderAlarms(result) {
    const note = $("alarms-note");
    let events = [];
    if (result.status === 200 && Array.isArray(result.body)) {
      events = result.body;
      note.textContent = "";
    } else if (result.status === 404) {
      note.textContent = "This node does not report alarm events.";
    } else if (result.status === 403) {
      note.textContent = "The key may not read alarm events.";
    } else {
      note.textContent = `Alarm events could not be read (HTTP ${result.status}).`;
    }
    // One row per phase (start or end) as GET /alarms/recent lists them; an event's two phases share its id.
    fill("alarms", events, (e) => `${e.id} ${e.phase}`, (e) => [
      [e.vin], [e.kind], [e.phase], [e.detail], [time(e.started_at), e.started_at], [time(e.ended_at), e.ended_at],
    ], "No recent alarm event.");
  }

  async function poll(mine) {
    try {
      const query = $("vin-search").value.trim();
      const [status, alarms] = await Promise.all([
        getJson(`/status?limit=${vehicleLimit}` + (query ? `&q=${encodeURIComponent(query)}` : "")),
        alarmsSkip > 0 ? Promise.resolve(lastAlarms)
          : getJson(`/alarms/recent?limit=${alarmLimit}`).catch(() => ({ status: 0, body: null })),
      ]);
      alarmsSkip = alarmsSkip > 0 ? alarmsSkip - 1 : alarms.status === 404 ? alarmRetryPolls : 0;
      lastAlarms = alarms;
      if (mine !== generation) return;
      if (status.status === 401) {
        sessionStorage.removeItem(keyName);
        showKeyForm("The API key was not accepted (unknown, revoked or malformed). Enter another.");
        return;
      }
      if (status.status === 403) {
        showKeyForm("The API key does not have the state:read scope. Enter another.");
        sessionStorage.removeItem(keyName);
        return;
      }
      if (status.status !== 200) {
        setStatus(`The node answered HTTP ${status.status}; retrying.`, true);
      } else {
        render(status.body);
        renderAlarms(alarms);
        $("dashboard").hidden = false;
        setStatus(`Live: ${status.body.node}`, false);
      }
    } catch (error) {
      if (mine !== generation) return;
      setStatus(`The node cannot be reached (${error.message}); retrying.`, true);
    }
    if (mine === generation) timer = setTimeout(() => poll(mine), pollMs);
  }

  function start() {
    clearTimeout(timer);
    $("key-form").hidden = true;
    setStatus("Loading…", false);
    poll(++generation);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("api-key").value.trim();
      if (!value) return;
      sessionStorage.setItem(keyName, value);
      $("api-key").value = "";
      start();
    });
    $("forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(keyName);
      showKeyForm("Enter an API key.");
    });
    let searchDelay = 0;
    $("vin-search").addEventListener("input", () => {
      clearTimeout(searchDelay);
      searchDelay = setTimeout(() => { if (key()) start(); }, 300);
    });
    if (key()) start(); else showKeyForm("Enter an API key.");
  });
})();
