#!/usr/bin/env python3
"""Helpers of bench/scenarios/run.sh: sampling a process, judging a step, and writing the results block.

  scen.py sample  --pid P [--http URL] --out FILE [--interval 1] [--max-seconds 3600]
  scen.py window  --samples FILE --from T0 --to T1            -> JSON: RSS, CPU, sessions over [T0, T1] (epoch seconds)
  scen.py verdict --samples FILE --fleet FLEET.json --from T0 --to T1 --offered R --duration D --ramp-seconds S
  scen.py sinkrate --fleet FLEET.json --duration D --ramp-seconds S
  scen.py report  --run DIR                                    -> Markdown block on stdout

Standard library only. Every sample is one JSON line; times are epoch seconds (time.time()).
"""
import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------------------ sample

def read_proc(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime is field 14, stime field 15 -> indexes 11, 12 here.
    cpu_ticks = int(fields[11]) + int(fields[12])
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    try:
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        fds = -1
    return {
        "cpu_s": cpu_ticks / CLK_TCK,
        "rss_kb": int(status.get("VmRSS", "0 kB").split()[0]),
        "hwm_kb": int(status.get("VmHWM", "0 kB").split()[0]),
        "threads": int(status.get("Threads", "0")),
        "fds": fds,
    }


def read_host():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    idle = cpu[3] + cpu[4]
    return {"host_busy_s": (sum(cpu) - idle) / CLK_TCK, "host_total_s": sum(cpu) / CLK_TCK, "load1": load1}


METRICS = [
    "ingest_frames_total", "ingest_logins_total", "ingest_connections_active", "ingest_replies_total",
    "ingest_clickhouse_rows_written_total", "ingest_clickhouse_records_committed_total", "ingest_clickhouse_errors_total",
    "ingest_redis_updates_applied_total", "ingest_redis_errors_total", "forwarder_frames_relayed_total",
    "forwarder_frames_reissued_total", "forwarder_link_logins_total", "ingest_spool_appended_records_total",
]
# Histograms in seconds with explicit bucket advice (DiagnosticBuckets), so their quantiles mean something.
HISTOGRAMS = ["ingest_ack_latency_seconds", "ingest_spool_commit_duration_seconds"]
MEANS = ["ingest_ack_latency_seconds", "ingest_spool_commit_duration_seconds", "ingest_spool_commit_records",
         "ingest_clickhouse_insert_duration_seconds", "ingest_redis_apply_duration_seconds"]


def parse_metrics(text):
    totals = {}
    buckets = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        name_end = min([i for i in (line.find("{"), line.find(" ")) if i > 0] or [0])
        if name_end <= 0:
            continue
        name = line[:name_end]
        rest = line[line.index("}") + 1:] if line[name_end] == "{" else line[name_end:]
        try:
            value = float(rest.split()[0])
        except (ValueError, IndexError):
            continue
        if name.endswith("_bucket"):
            base = name[:-len("_bucket")]
            if base in HISTOGRAMS:
                le = line.split('le="', 1)[1].split('"', 1)[0]
                buckets.setdefault(base, {})
                buckets[base][le] = buckets[base].get(le, 0) + value
            continue
        totals[name] = totals.get(name, 0) + value
    return totals, buckets


def wanted_metric(name):
    return name in METRICS or any(name in (m + "_sum", m + "_count") for m in MEANS)


def sample(args):
    deadline = time.time() + args.max_seconds
    with open(args.out, "a") as out:
        while time.time() < deadline:
            t = time.time()
            row = {"t": t}
            try:
                row.update(read_proc(args.pid))
            except OSError:
                break  # the process is gone
            row.update(read_host())
            if args.http:
                try:
                    with urllib.request.urlopen(args.http + "/readyz", timeout=2) as r:
                        ready = json.load(r)
                except urllib.error.HTTPError as e:  # 503 carries the same body
                    ready = json.load(e)
                except Exception as e:  # noqa: BLE001 - a missed sample is recorded, not fatal
                    ready = {"error": str(e)}
                if "spool" in ready:
                    row["sessions"] = ready["sessions"]
                    row["next_offset"] = ready["spool"]["next_offset"]
                    row["lag"] = ready["spool"]["consumer_lag_bytes"]
                    row["spool_disk_bytes"] = ready["spool"]["disk_bytes"]
                if args.metrics:
                    try:
                        with urllib.request.urlopen(args.http + "/metrics", timeout=2) as r:
                            totals, buckets = parse_metrics(r.read().decode())
                        row["m"] = {k: v for k, v in totals.items() if wanted_metric(k)}
                        row["h"] = buckets
                    except Exception as e:  # noqa: BLE001
                        row["metrics_error"] = str(e)
            out.write(json.dumps(row) + "\n")
            out.flush()
            time.sleep(max(0.0, args.interval - (time.time() - t)))


def netstat(_args):
    """Machine-wide TCP listen-queue counters (/proc/net/netstat): overflows mean SYNs or handshakes were dropped."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            d = dict(zip(names.split()[1:], (int(v) for v in values.split()[1:])))
            print(json.dumps({"listen_overflows": d.get("ListenOverflows", 0), "listen_drops": d.get("ListenDrops", 0)}))
            return


def load_samples(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def in_window(rows, t0, t1):
    return [r for r in rows if t0 <= r["t"] <= t1]


def window_stats(rows, t0, t1):
    w = in_window(rows, t0, t1)
    if len(w) < 2:
        return {"error": f"fewer than two samples between {t0} and {t1}"}
    dt = w[-1]["t"] - w[0]["t"]
    cpu = (w[-1]["cpu_s"] - w[0]["cpu_s"]) / dt * 100
    host_busy = (w[-1]["host_busy_s"] - w[0]["host_busy_s"]) / (w[-1]["host_total_s"] - w[0]["host_total_s"]) * 100
    result = {
        "seconds": round(dt, 1),
        "rss_mb": round(w[-1]["rss_kb"] / 1024, 1),
        "rss_mb_max": round(max(r["rss_kb"] for r in w) / 1024, 1),
        "hwm_mb": round(w[-1]["hwm_kb"] / 1024, 1),
        "cpu_pct_of_one_core": round(cpu, 1),
        "host_busy_pct": round(host_busy, 1),
        "load1": w[-1]["load1"],
        "threads": w[-1]["threads"],
        "fds": w[-1]["fds"],
    }
    if "sessions" in w[-1]:
        result["sessions"] = w[-1]["sessions"]
    return result


def window(args):
    print(json.dumps(window_stats(load_samples(args.samples), args.t0, args.t1)))


# ----------------------------------------------------------------------------------------------------------- verdict

def slope(points):
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / den if den else 0.0


def histogram_quantile(q, buckets):
    """Prometheus-style quantile from cumulative buckets {le: count}; None when empty."""
    items = sorted(((float("inf") if le == "+Inf" else float(le)), c) for le, c in buckets.items())
    total = items[-1][1] if items else 0
    if total <= 0:
        return None
    rank = q * total
    prev_le, prev_c = 0.0, 0.0
    for le, c in items:
        if c >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * ((rank - prev_c) / (c - prev_c) if c > prev_c else 0)
        prev_le, prev_c = le, c
    return prev_le


def bucket_delta(a, b):
    return {le: b.get(le, 0) - a.get(le, 0) for le in b}


def fleet_rate(fleet, duration, ramp_seconds):
    counters = fleet["report"]["counters"]
    acked = counters["acknowledgedByCommand"].get("realtime", 0)
    sent = counters["sentByCommand"].get("realtime", 0)
    span = max(1e-9, duration - ramp_seconds / 2)
    return sent / span, acked / span


def verdict(args):
    rows = load_samples(args.samples)
    with open(args.fleet) as f:
        fleet = json.load(f)
    report = fleet["report"]
    # Steady window: after the ramp and the first interval, up to the end of the load.
    w = in_window(rows, args.t0, args.t1)
    out = {"offered_fps": args.offered}
    sent_fps, acked_fps = fleet_rate(fleet, args.duration, args.ramp_seconds)
    out["sent_fps"] = round(sent_fps)
    out["acked_fps"] = round(acked_fps)
    out["clean"] = report["counters"]["framesAcknowledged"] == report["framesExpectingAck"] and not report["counters"]["errors"]
    out["errors"] = report["counters"]["errors"]
    out["data_latency"] = report["dataLatency"]
    out["clickhouse_check"] = summarize_check(fleet.get("clickHouse"))
    out["platform_check"] = summarize_check(fleet.get("platform"))
    growing = []
    if len(w) >= 4 and "lag" in w[-1]:
        dt = w[-1]["t"] - w[0]["t"]
        in_bps = (w[-1]["next_offset"] - w[0]["next_offset"]) / dt
        frames = (w[-1].get("m", {}).get("ingest_frames_total", 0) - w[0].get("m", {}).get("ingest_frames_total", 0)) / dt
        out["server_ingest_fps"] = round(frames)
        out["input_bytes_per_s"] = round(in_bps)
        out["server"] = window_stats(rows, args.t0, args.t1)
        lags = {}
        half = [r for r in w if r["t"] >= w[0]["t"] + dt / 2]
        for consumer in w[-1]["lag"]:
            pts = [(r["t"], r["lag"].get(consumer, 0)) for r in half if "lag" in r]
            s = slope(pts)
            end_lag = w[-1]["lag"][consumer]
            max_lag = max(r["lag"].get(consumer, 0) for r in w if "lag" in r)
            # Growing: rising by more than 2 % of the input over the second half, and more than 1 s of input behind at the end.
            is_growing = s > 0.02 * in_bps and end_lag > in_bps
            lags[consumer] = {
                "end_lag_s": round(end_lag / in_bps, 2) if in_bps else None,
                "max_lag_s": round(max_lag / in_bps, 2) if in_bps else None,
                "slope_pct_of_input": round(100 * s / in_bps, 1) if in_bps else None,
                "growing": is_growing,
            }
            if is_growing:
                growing.append(consumer)
        out["lag"] = lags
        if w[0].get("h") and w[-1].get("h"):
            hist = {}
            for name in HISTOGRAMS:
                d = bucket_delta(w[0]["h"].get(name, {}), w[-1]["h"].get(name, {}))
                p50, p99 = histogram_quantile(0.5, d), histogram_quantile(0.99, d)
                hist[name] = {"p50": round(p50, 6) if p50 is not None else None, "p99": round(p99, 6) if p99 is not None else None}
            out["server_histograms"] = hist
        means = {}
        for name in MEANS:
            m0, m1 = w[0].get("m", {}), w[-1].get("m", {})
            n = m1.get(name + "_count", 0) - m0.get(name + "_count", 0)
            if n > 0:
                means[name] = {"mean": (m1.get(name + "_sum", 0) - m0.get(name + "_sum", 0)) / n, "count": n}
        out["server_means"] = means
        for label, path in (("clickhouse_process", args.ch_samples), ("redis_process", args.redis_samples)):
            if path and os.path.exists(path):
                out[label] = window_stats(load_samples(path), args.t0, args.t1)
        cpu = out["server"].get("cpu_pct_of_one_core")
        if cpu is not None and acked_fps > 0:
            out["server_cpu_us_per_frame"] = round(cpu / 100 * 1e6 / acked_fps, 1)
    else:
        out["lag"] = {}
        growing.append("no samples")
    out["growing"] = growing
    keeps_up = acked_fps >= 0.95 * args.offered
    out["keeps_up"] = keeps_up
    out["passed"] = bool(out["clean"] and keeps_up and not growing
                         and out["clickhouse_check"]["passed"] is not False and out["platform_check"]["passed"] is not False)
    print(json.dumps(out, indent=1))


def summarize_check(check):
    if not check:
        return {"passed": None}
    passed = check.get("error") is None and check.get("vinsMissing", 0) == 0 and (check.get("duplicatesAllowed") or check.get("vinsWithDuplicates", 0) == 0)
    return {"passed": passed, "acknowledged": check.get("acknowledged"), "found": check.get("found"),
            "missing": check.get("missingFrames"), "duplicates": check.get("duplicateFrames"),
            "waited_s": parse_timespan(check.get("waited")), "error": check.get("error")}


def parse_timespan(text):
    if not text:
        return None
    days = 0
    if "." in text.split(":")[0]:
        d, text = text.split(".", 1)
        days = int(d)
    h, m, s = text.split(":")
    return round(days * 86400 + int(h) * 3600 + int(m) * 60 + float(s), 1)


def sinkrate(args):
    with open(args.fleet) as f:
        fleet = json.load(f)
    report = fleet["report"]
    sent_fps, acked_fps = fleet_rate(fleet, args.duration, args.ramp_seconds)
    clean = report["counters"]["framesAcknowledged"] == report["framesExpectingAck"] and not report["counters"]["errors"]
    out = {"offered_fps": args.offered, "sent_fps": round(sent_fps), "acked_fps": round(acked_fps), "clean": clean,
           "errors": report["counters"]["errors"], "data_latency": report["dataLatency"],
           "keeps_up": acked_fps >= 0.95 * args.offered, "passed": clean and acked_fps >= 0.95 * args.offered}
    if args.samples and os.path.exists(args.samples) and args.t0 is not None:
        out["sink"] = window_stats(load_samples(args.samples), args.t0, args.t1)
        cpu = out["sink"].get("cpu_pct_of_one_core")
        if cpu is not None and acked_fps > 0:
            out["sink_cpu_us_per_frame"] = round(cpu / 100 * 1e6 / acked_fps, 1)
    print(json.dumps(out))


# ------------------------------------------------------------------------------------------------------------ report

def jload(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def ms(seconds):
    """Seconds (from a histogram) as milliseconds with two decimals."""
    return "n/a" if seconds is None else f"{seconds * 1000:.2f}"


def fmt(x, digits=0, unit=""):
    if x is None or isinstance(x, str):
        return "n/a"
    if isinstance(x, float) and x != x:
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}{unit}"
    return f"{x:,.{digits}f}{unit}"


def ratio(a, b, digits=2):
    if a is None or b in (None, 0):
        return "n/a"
    return f"{a / b:.{digits}f}"


def median(values):
    # JSON writes NaN as the string "NaN" (a run where not every terminal got its answer): not a value.
    values = [v for v in values if isinstance(v, (int, float)) and v == v]
    return statistics.median(values) if values else None


PERF_LINE = re.compile(r"^\s*([\d.]+)%\s+(\[JIT\] tid \d+|\S+)\s+\[(.)\]\s+(.*)$")


def jit_owner(symbol):
    """'[Assembly] Namespace' of the type that owns a JIT-compiled method, from perf's map name."""
    head = symbol.split("::", 1)[0]
    owner = head.split()[-1] if head.split() else head
    asm_end = head.rfind("]", 0, len(head) - len(owner))
    asm_start = head.rfind("[", 0, asm_end)
    asm = head[asm_start + 1:asm_end] if asm_start >= 0 else "?"
    owner = owner.split("`")[0].split("+")[0]
    parts = owner.split(".")
    # System types by type (System.Decimal, System.Linq.Enumerable); other code by namespace (Ingest.Projection).
    name = ".".join(parts[:3] if parts[0] == "System" else parts[:-1] or parts)
    return f"[{asm}] {name}"


def perf_groups(path):
    """perf report lines 'pct dso [k|.] symbol' grouped into readable buckets, largest first."""
    if not os.path.exists(path):
        return []
    totals = {}
    for line in open(path):
        m = PERF_LINE.match(line)
        if not m:
            continue
        pct, dso, symbol = float(m.group(1)), m.group(2), m.group(4).strip()
        if dso == "[kernel.kallsyms]":
            sched = any(k in symbol for k in ("finish_task_switch", "sched", "schedule", "futex", "_raw_spin_unlock_irqrestore", "yield", "wake"))
            net = any(k in symbol for k in ("tcp", "sock", "skb", "inet", "ip_", "net_", "softirq", "loopback", "epoll"))
            fs = any(k in symbol for k in ("ext4", "jbd2", "fsync", "vfs_", "iowrite", "blk", "virtio", "filemap", "page_cache"))
            key = "kernel: scheduling, wake-ups, futex" if sched else "kernel: TCP/loopback, epoll" if net else "kernel: file system, disk" if fs else "kernel: other"
        elif dso.startswith("[JIT]"):
            key = "JIT code " + jit_owner(symbol)
        elif "coreclr" in dso:
            key = "runtime (libcoreclr: GC, thread pool, stubs)"
        elif "clrjit" in dso:
            key = "JIT compiler (libclrjit)"
        else:
            key = dso
        totals[key] = totals.get(key, 0) + pct
    return sorted(totals.items(), key=lambda kv: -kv[1])


def report(args):
    run = args.run
    meta = jload(os.path.join(run, "meta.json")) or {}
    only = meta.get("only")
    if not only:
        words = meta.get("command", "").split()
        only = words[words.index("--only") + 1] if "--only" in words else "scale,storm,sustained,half,reissue,profile"
    ran = set(only.split(","))
    lines = []
    p = lines.append
    p(f"### Run {meta.get('date', '?')} ({meta.get('mode', '?')} mode)")
    p("")
    p(f"- Command: `{meta.get('command', '?')}`")
    p(f"- Machine: {meta.get('cores', '?')} cores ({meta.get('cpu_model', '?')}), {meta.get('memory_gb', '?')} GB memory, "
      f"kernel {meta.get('kernel', '?')}; load average at start {meta.get('load_at_start', '?')} (the machine is shared with other work)")
    p(f"- Commit {meta.get('commit', '?')}; .NET {meta.get('dotnet', '?')}; ClickHouse {meta.get('clickhouse_version', '?')}; "
      f"Redis {meta.get('redis_version', '?')}")
    p(f"- Open files: {meta.get('nofile_note', '?')}")
    p(f"- Wall time {meta.get('wall_minutes', '?')} min. Raw data: `{meta.get('run_dir', run)}` (not committed)")
    p("")

    # 1. Connection scale
    if "scale" in ran:
        section_scale(run, meta, p)
    if "storm" in ran:
        section_storm(run, p)
    if "sustained" in ran or "half" in ran:
        section_sustained(run, meta, p, ran)
    if "reissue" in ran:
        section_reissue(run, meta, p)
    if "profile" in ran:
        section_profile(run, p)
    notes = os.path.join(run, "notes.md")
    if os.path.exists(notes):
        p(open(notes).read().rstrip())
        p("")
    print("\n".join(lines))


def section_scale(run, meta, p):
    p("#### 1. Connection scale (idle GB terminals, heartbeat every "
      f"{meta.get('scale_heartbeat', '?')}; goal 100,000 held within 2 GB)")
    p("")
    server = [json.loads(l) for l in open(os.path.join(run, "scale", "server.jsonl"))] if os.path.exists(os.path.join(run, "scale", "server.jsonl")) else []
    sink = {s["target"]: s for s in ([json.loads(l) for l in open(os.path.join(run, "scale", "sink.jsonl"))] if os.path.exists(os.path.join(run, "scale", "sink.jsonl")) else [])}
    if server:
        p("| terminals | server sessions | server RSS MB | server CPU % of a core | sink RSS MB | sink CPU % | RSS ratio server/sink | server KB per session (over 1st step) |")
        p("|---:|---:|---:|---:|---:|---:|---:|---:|")
        first = server[0]
        for s in server:
            b = sink.get(s["target"], {})
            per = None
            if s is not first and s.get("sessions") and first.get("sessions") is not None and s["sessions"] > first["sessions"]:
                per = (s["rss_mb"] - first["rss_mb"]) * 1024 / (s["sessions"] - first["sessions"])
            p(f"| {s['target']:,} | {fmt(s.get('sessions'))} | {fmt(s.get('rss_mb'), 1)} | {fmt(s.get('cpu_pct_of_one_core'), 1)} | "
              f"{fmt(b.get('rss_mb'), 1)} | {fmt(b.get('cpu_pct_of_one_core'), 1)} | {ratio(s.get('rss_mb'), b.get('rss_mb'))} | {fmt(per, 1)} |")
        p("")
        p(f"Not run: steps above {server[-1]['target']:,}" + (" (quick mode)" if meta.get("mode") == "quick" else "") +
          f"; 100,000 cannot be run here: {meta.get('nofile_note', '')}.")
    else:
        p("Not run.")
    p("")



def section_storm(run, p):
    p("#### 2. Connect storm (every terminal connects and logs in at once; goal 20,000 logins/s)")
    p("")
    storms = {"server": [], "sink": []}
    for kind in storms:
        d = os.path.join(run, "storm")
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if name.startswith(kind + "-") and name.endswith(".json") and not name.endswith(".raw.json"):
                    j = jload(os.path.join(d, name))
                    if j:
                        storms[kind].append(j)
    if storms["server"]:
        srv = median([s["logins_per_second"] for s in storms["server"]])
        snk = median([s["logins_per_second"] for s in storms["sink"]])
        p("| target | runs | terminals | logins/s (median) | each run | all logged in | time to all (s, median) | connect p50 / p99 ms (median) | connects > 900 ms | listen-queue overflows | errors |")
        p("|---|---:|---:|---:|---|---|---:|---|---|---|---|")
        for kind, label in (("server", "ingest server"), ("sink", "bare sink")):
            runs = storms[kind]
            if not runs:
                continue
            p(f"| {label} | {len(runs)} | {runs[0]['terminals']:,} | {fmt(median([r['logins_per_second'] for r in runs]))} | "
              f"{', '.join(fmt(r['logins_per_second']) for r in runs)} | {', '.join('yes' if r['all_logged_in'] else 'NO' for r in runs)} | "
              f"{fmt(median([r['seconds_to_all'] for r in runs]), 2)} | "
              f"{fmt(median([r['connect_ms']['p50'] for r in runs]), 1)} / {fmt(median([r['connect_ms']['p99'] for r in runs]), 1)} | "
              f"{', '.join(str(r['connects_over900_ms']) for r in runs)} | "
              f"{', '.join(str(r.get('listen_overflows', 'n/a')) for r in runs)} | {'; '.join(json.dumps(r['errors']) for r in runs if r['errors']) or 'none'} |")
        p("")
        p(f"Ratio server/sink: **{ratio(srv, snk)}**. Goal 20,000/s: **{'met' if srv and srv >= 20000 else 'not met'}** ({fmt(srv)}/s).")
    else:
        p("Not run.")
    p("")



def section_sustained(run, meta, p, ran):
    p("#### 3. Sustained throughput (realtime frames end to end: spool, ClickHouse, Redis, relay; goal 100,000 frames/s)")
    p("")
    ch = None
    ladder = jload(os.path.join(run, "sustained", "ladder.json")) or {}
    steps = ladder.get("server", [])
    sink_steps = ladder.get("sink", [])
    if steps:
        p(f"{ladder.get('terminals', '?'):,} terminals (gb2016 60 %, gb2025 20 %, hj1239 20 %), {ladder.get('duration_s', '?')} s per step, "
          "fresh server per step. A step passes when every frame is acknowledged without error, the acknowledged rate is "
          "at least 95 % of the offered rate, no spool consumer's lag grows (slope over the second half above 2 % of the "
          "input and more than 1 s of input behind at the end), and after the run ClickHouse holds every acknowledged frame "
          "exactly once and the platform received every acknowledged GB frame.")
        p("")
        p("| offered/s | acked/s | data ack p50 / p99 ms | ClickHouse lag end / max (s of input) | Redis lag end/max | relay lag end/max | CPU % of a core: server / ClickHouse / Redis | server CPU µs per frame | host busy % | ClickHouse check (waited) | platform check | verdict |")
        p("|---:|---:|---|---|---|---|---|---:|---:|---|---|---|")
        for s in steps:
            lag = s.get("lag", {})

            def lg(c):
                v = lag.get(c)
                return f"{v['end_lag_s']} / {v['max_lag_s']}{' growing' if v['growing'] else ''}" if v else "n/a"
            ch = s.get("clickhouse_check", {})
            pl = s.get("platform_check", {})
            dl = s.get("data_latency", {})
            p(f"| {fmt(s['offered_fps'])} | {fmt(s['acked_fps'])} | {fmt(dl.get('p50Ms'), 1)} / {fmt(dl.get('p99Ms'), 1)} | {lg('clickhouse')} | {lg('redis')} | "
              f"{lg('relay-nat')} | {fmt(s.get('server', {}).get('cpu_pct_of_one_core'))} / {fmt(s.get('clickhouse_process', {}).get('cpu_pct_of_one_core'))} / "
              f"{fmt(s.get('redis_process', {}).get('cpu_pct_of_one_core'))} | {fmt(s.get('server_cpu_us_per_frame'))} | {fmt(s.get('server', {}).get('host_busy_pct'))} | "
              f"{'PASS' if ch.get('passed') else 'FAIL'} ({fmt(ch.get('waited_s'), 1)} s) | {'PASS' if pl.get('passed') else 'FAIL'} | {'pass' if s['passed'] else 'FAIL'} |")
        p("")
        if sink_steps:
            p("Bare sink, same fleet:")
            p("")
            p("| offered/s | acked/s | data ack p50 / p99 ms | sink CPU % of a core | sink CPU µs per frame | host busy % | verdict |")
            p("|---:|---:|---|---:|---:|---:|---|")
            for s in sink_steps:
                dl = s.get("data_latency", {})
                p(f"| {fmt(s['offered_fps'])} | {fmt(s['acked_fps'])} | {fmt(dl.get('p50Ms'), 1)} / {fmt(dl.get('p99Ms'), 1)} | "
                  f"{fmt(s.get('sink', {}).get('cpu_pct_of_one_core'))} | {fmt(s.get('sink_cpu_us_per_frame'))} | {fmt(s.get('sink', {}).get('host_busy_pct'))} | {'pass' if s['passed'] else 'FAIL'} |")
            p("")
        best = max([s["offered_fps"] for s in steps if s["passed"]], default=None)
        sink_best = max([s["offered_fps"] for s in sink_steps if s["passed"]], default=None)
        ch = jload(os.path.join(run, "baseline", "clickhouse.json"))
        ch_fps = ch.get("records_per_second") if ch else None
        p(f"Highest sustained rate: **{fmt(best)} frames/s** (goal 100,000: {'met' if best and best >= 100000 else 'not met'}). "
          f"Bare sink: {fmt(sink_best)} frames/s{' (its highest step passed: the fleet, not the sink, may be the limit)' if sink_steps and sink_steps[-1]['passed'] else ''}; "
          f"ratio server/sink **{ratio(best, sink_best)}**. Bare ClickHouse insert loop with the same rows: {fmt(ch_fps)} frames/s; "
          f"ratio server/ClickHouse **{ratio(best, ch_fps)}**.")
    else:
        p("Not run.")
    p("")
    if ch:
        p(f"ClickHouse baseline: ChInsertBaseline, rows of the half-rate run, {ch['batch_rows']:,} rows per batch "
          f"({ch['records_per_batch']:.0f} frames: " + ", ".join(f"{k} {v:,}" for k, v in ch["rows_per_batch_by_table"].items()) +
          f"), one insert at a time for {ch['seconds']:.0f} s: {fmt(ch['rows_per_second'])} rows/s, {fmt(ch['records_per_second'])} frames/s, "
          f"batch (all tables) p50 {ch['batch_ms_p50']:.0f} ms, p99 {ch['batch_ms_p99']:.0f} ms." + (f" Error: {ch['error']}" if ch.get("error") else ""))
        extra = [jload(os.path.join(run, "baseline", n)) for n in sorted(os.listdir(os.path.join(run, "baseline"))) if n.startswith("clickhouse-batch-")]
        for e in [e for e in extra if e]:
            p(f"  With {e['batch_rows']:,} rows per batch: {fmt(e['records_per_second'])} frames/s (batch p50 {e['batch_ms_p50']:.0f} ms).")
        p("")

    # 3b. Half rate latency + 4. Freshness
    half = jload(os.path.join(run, "half", "verdict.json"))
    half_sink = jload(os.path.join(run, "half", "sink-verdict.json"))
    p("#### 3b. Acknowledgement latency at half the sustained rate (goal p99 5 ms or less)")
    p("")
    if half:
        dl = half["data_latency"]
        sdl = (half_sink or {}).get("data_latency", {})
        hs = half.get("server_histograms", {})
        p(f"Offered {fmt(half['offered_fps'])} frames/s, acknowledged {fmt(half['acked_fps'])}/s, clean: {half['clean']}, lag growing: {half['growing'] or 'no'}.")
        p("")
        p("| measured at | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |")
        p("|---|---:|---:|---:|---:|---:|")
        p(f"| terminals, ingest server (data frames) | {dl['p50Ms']:.2f} | {dl['p90Ms']:.2f} | **{dl['p99Ms']:.2f}** | {dl['p999Ms']:.2f} | {dl['maxMs']:.1f} |")
        if sdl:
            p(f"| terminals, bare sink, same rate | {sdl['p50Ms']:.2f} | {sdl['p90Ms']:.2f} | {sdl['p99Ms']:.2f} | {sdl['p999Ms']:.2f} | {sdl['maxMs']:.1f} |")
        if hs.get("ingest_ack_latency_seconds"):
            h = hs["ingest_ack_latency_seconds"]
            p(f"| server: last byte read to reply written (from its histogram buckets) | {ms(h['p50'])} | | {ms(h['p99'])} | | |")
        if hs.get("ingest_spool_commit_duration_seconds"):
            h = hs["ingest_spool_commit_duration_seconds"]
            p(f"| server: one group commit, write + fsync (from its histogram buckets) | {ms(h['p50'])} | | {ms(h['p99'])} | | |")
        p("")
        means = half.get("server_means", {})
        parts = []
        if "ingest_ack_latency_seconds" in means:
            parts.append(f"server-side ack latency mean {means['ingest_ack_latency_seconds']['mean'] * 1000:.2f} ms")
        if "ingest_spool_commit_duration_seconds" in means:
            parts.append(f"spool group commit (write + fsync) mean {means['ingest_spool_commit_duration_seconds']['mean'] * 1000:.2f} ms "
                         f"over {means['ingest_spool_commit_duration_seconds']['count']:,.0f} commits")
        if "ingest_spool_commit_records" in means:
            parts.append(f"{means['ingest_spool_commit_records']['mean']:.1f} records per commit")
        if "ingest_clickhouse_insert_duration_seconds" in means:
            parts.append(f"ClickHouse insert mean {means['ingest_clickhouse_insert_duration_seconds']['mean'] * 1000:.0f} ms")
        if "ingest_redis_apply_duration_seconds" in means:
            parts.append(f"Redis batch mean {means['ingest_redis_apply_duration_seconds']['mean'] * 1000:.1f} ms")
        if parts:
            p("Server metrics over the same window (means from histogram sums): " + "; ".join(parts) + ".")
            p("")
        p(f"p99 ratio server/sink: **{ratio(dl['p99Ms'], sdl.get('p99Ms'))}**. Goal 5 ms: **{'met' if dl['p99Ms'] <= 5 else 'not met'}**.")
    else:
        p("Not run.")
    p("")
    p("#### 4. Freshness: acknowledgement to row visible in ClickHouse (goal p99 2 s or less)")
    p("")
    fr = jload(os.path.join(run, "half", "freshness.json"))
    frd = jload(os.path.join(run, "half", "freshness-direct.json"))
    if fr:
        p("| measured | rows | p50 ms | p90 ms | p99 ms | max ms | never visible | poll every | count query p50 ms |")
        p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, j in (("probe terminal through the server, under the half-rate load", fr), ("row inserted straight into ClickHouse (floor)", frd)):
            if j:
                f_ = j["freshness_ms"]
                p(f"| {label} | {j['rows_visible']:,} | {fmt(f_['p50'])} | {fmt(f_['p90'])} | **{fmt(f_['p99'])}** | {fmt(f_['max'])} | {j['rows_never_visible']} | {j['poll_ms']:.0f} ms | {fmt(j['query_ms']['p50'], 1)} |")
        p("")
        p(f"Ratio server/direct p99: **{ratio(fr['freshness_ms']['p99'], (frd or {}).get('freshness_ms', {}).get('p99'), 1)}**. "
          f"Goal 2 s: **{'met' if fr['freshness_ms']['p99'] is not None and fr['freshness_ms']['p99'] <= 2000 and fr['rows_never_visible'] == 0 else 'not met'}**. "
          "Figures are upper bounds: a row counts as visible at the answer of the first count query that saw it.")
    else:
        p("Not run.")
    p("")



def section_reissue(run, meta, p):
    ladder = jload(os.path.join(run, "sustained", "ladder.json")) or {}
    p("#### 5. Forwarder reissue drain after a platform outage")
    p("")
    outs = [(m, jload(os.path.join(run, "reissue", f"{m}.json"))) for m in ("disconnect", "from-start")]
    outs = [(m, o) for m, o in outs if o]
    if outs:
        p(meta.get("reissue_config", ""))
        p("")
        p("Drain time: from the last sample (every 50 ms) before the link's new platform login to the first with the relay lag under one second of input; frames relayed in that time over it is the drain rate.")
        p("")
        p("| outage | terminals, offered/s | server ingest/s | platform down | server survived | relay backlog at peak | link logged in again after | drain time (lag under 1 s of input) | frames relayed while draining | drain rate | sent as reissue (0x03) | every acked GB frame at the platform | ClickHouse exactly once |")
        p("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|")
        sink_best = max([s["offered_fps"] for s in ladder.get("sink", []) if s["passed"]], default=None)
        for mode, o in outs:
            if "platform_check" not in o:
                p(f"| {mode} | | | | {'yes' if o.get('server_alive_after') else '**no**'} | {o.get('error', 'no result')} | | | | | | | |")
                continue
            pc = o["platform_check"]
            cc = o.get("click_house_check") or {}
            alive = o.get("server_alive_after")
            gone = o.get("server_unreachable_at_seconds")
            survived = "yes" if alive and gone is None else f"**no** (HTTP gone at {fmt(gone, 1)} s)" if gone is not None else ("yes" if alive else "**no**")
            label = "platform up, then gone (connections reset)" if mode == "disconnect" else "platform missing from the start"
            p(f"| {label} | {o['terminals']:,}, {fmt(o['offered_frames_per_second'])} | {fmt(o['input_frames_per_second'])} | {o['outage_seconds']:.1f} s | {survived} | "
              f"{fmt(o['peak_relay_lag_bytes'] / 1e6, 1)} MB (~{fmt(o['peak_relay_lag_frames'])} frames) | {fmt(o['reconnect_seconds'], 1)} s | "
              f"{fmt(o['drain_seconds'], 1)} s{' (fleet still sending)' if o['drained_while_fleet_running'] else (' (after the fleet stopped)' if o['drain_seconds'] is not None else '')} | "
              f"{fmt(o['drain_frames_relayed'])} | **{fmt(o['drain_frames_per_second'])}/s** | {fmt(o['frames_reissued'])} | "
              f"{'PASS' if pc['passed'] else 'FAIL'} ({pc['found']:,} of {pc['acknowledged']:,}; {pc['missing_frames']:,} missing) | "
              f"{'PASS' if cc.get('passed') else ('FAIL' if cc else 'not checked')} |")
        p("")
        for mode, o in outs:
            if o.get("server_errors"):
                p(f"Server log ({mode}): `" + o["server_errors"].strip().splitlines()[0][:400] + "`")
                p("")
        drains = [o.get("drain_frames_per_second") for _, o in outs if o.get("drain_frames_per_second")]
        if drains:
            p(f"Drain rate / bare sink sustained rate: **{ratio(max(drains), sink_best)}** (the sink figure is terminal traffic into a bare "
              "TCP server on the same machine: the loopback limit).")
    else:
        p("Not run.")
    p("")


def section_profile(run, p):
    prof_dir = os.path.join(run, "profile")
    if os.path.isdir(prof_dir):
        p("#### Where the server's CPU goes")
        p("")
        rows = [jload(os.path.join(prof_dir, n)) for n in sorted(os.listdir(prof_dir)) if n.endswith(".verdict.json")]
        rows = [r for r in rows if r]
        order = {"clickhouse,redis,relay": 0, "redis,relay": 1, "clickhouse,relay": 2, "clickhouse,redis": 3, "spool-only": 4}
        rows.sort(key=lambda r: order.get(r.get("variant"), 9))
        if rows:
            p(f"The same fleet at {fmt(rows[0]['offered_fps'])} frames/s against servers with parts taken away; CPU over the steady window.")
            p("")
            p("| server runs | acked/s | server CPU % of a core | server CPU µs per frame | data ack p50 / p99 ms | lag growing |")
            p("|---|---:|---:|---:|---|---|")
            names = {"clickhouse,redis,relay": "everything (spool, ClickHouse, Redis, relay)", "redis,relay": "without ClickHouse",
                     "clickhouse,relay": "without Redis", "clickhouse,redis": "without the relay", "spool-only": "spool only (no ClickHouse, Redis, relay)"}
            for r in rows:
                dl = r.get("data_latency", {})
                p(f"| {names.get(r.get('variant'), r.get('variant'))} | {fmt(r.get('acked_fps'))} | {fmt(r.get('server', {}).get('cpu_pct_of_one_core'))} | "
                  f"{fmt(r.get('server_cpu_us_per_frame'))} | {fmt(dl.get('p50Ms'), 1)} / {fmt(dl.get('p99Ms'), 1)} | {', '.join(r.get('growing') or []) or 'no'} |")
            p("")
        groups = perf_groups(os.path.join(prof_dir, "perf-symbols.txt"))
        if groups:
            p("perf, the same samples grouped (JIT code by assembly and namespace; kernel by what it did):")
            p("")
            p("| share of server CPU samples | where |")
            p("|---:|---|")
            for key, share in groups[:20]:
                p(f"| {share:.1f} % | {key} |")
            p("")
        for name, title in (("perf-dso.txt", "perf, full server (W^X off), 15 s of the steady window, samples by binary"),
                            ("perf-top.txt", "perf, the same samples by function (over 0.7 %)")):
            path = os.path.join(prof_dir, name)
            if os.path.exists(path) and os.path.getsize(path) > 0:
                p(f"{title}:")
                p("")
                p("```")
                for line in open(path).read().splitlines()[:30]:
                    p(line.rstrip()[:160])
                p("```")
                p("")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--http")
    s.add_argument("--metrics", action="store_true")
    s.add_argument("--out", required=True)
    s.add_argument("--interval", type=float, default=1.0)
    s.add_argument("--max-seconds", type=float, default=3600)
    w = sub.add_parser("window")
    w.add_argument("--samples", required=True)
    w.add_argument("--from", dest="t0", type=float, required=True)
    w.add_argument("--to", dest="t1", type=float, required=True)
    v = sub.add_parser("verdict")
    v.add_argument("--samples", required=True)
    v.add_argument("--fleet", required=True)
    v.add_argument("--from", dest="t0", type=float, required=True)
    v.add_argument("--to", dest="t1", type=float, required=True)
    v.add_argument("--offered", type=float, required=True)
    v.add_argument("--duration", type=float, required=True)
    v.add_argument("--ramp-seconds", type=float, required=True)
    v.add_argument("--ch-samples")
    v.add_argument("--redis-samples")
    k = sub.add_parser("sinkrate")
    k.add_argument("--fleet", required=True)
    k.add_argument("--offered", type=float, required=True)
    k.add_argument("--duration", type=float, required=True)
    k.add_argument("--ramp-seconds", type=float, required=True)
    k.add_argument("--samples")
    k.add_argument("--from", dest="t0", type=float)
    k.add_argument("--to", dest="t1", type=float)
    sub.add_parser("netstat")
    r = sub.add_parser("report")
    r.add_argument("--run", required=True)
    a = ap.parse_args()
    {"netstat": netstat, "sample": sample, "window": window, "verdict": verdict, "sinkrate": sinkrate, "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
