#!/usr/bin/env python3
"""Helpers of bench/scenarios/run.sh: sampling a process, judging a step, and writing the results block.

  scen.py sample  --pid P [--http URL] [--metrics --metrics-url URL] --out FILE [--interval 1] [--max-seconds 3600]
  scen.py window  --samples FILE --from T0 --to T1            -> JSON: RSS, CPU, sessions over [T0, T1] (epoch seconds)
  scen.py verdict --samples FILE --fleet FLEET.json --from T0 --to T1 --offered R --duration D --ramp-seconds S
  scen.py sinkrate --fleet FLEET.json --duration D --ramp-seconds S
  scen.py report  --run DIR                                    -> Markdown block on stdout (ends with the issue 7 goal table)
  scen.py goals   --run DIR                                    -> the goal table alone
  scen.py cpurow  --fleet FLEET.json --cpu-s S --seconds T ...  -> JSON: CPU per acknowledged frame of one target (goal 2)
  scen.py rusage  --out FILE -- CMD...                         -> runs CMD (stdout to FILE); JSON: its user + system CPU (wait4)
  scen.py abrow / abtable                                      -> rows and medians of bench/scenarios/fleet-ab.sh
  scen.py selftest                                             -> checks the parsers and the goal arithmetic on built-in data

Environment: INGEST_SCEN_API_KEY (sent as X-Api-Key and as a Bearer token to /metrics when set; a 401/403 is
recorded in the samples and named in the report, never fatal).

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
                        with urllib.request.urlopen(metrics_request(args.metrics_url or args.http + "/metrics"), timeout=2) as r:
                            totals, buckets = parse_metrics(r.read().decode())
                        row["m"] = {k: v for k, v in totals.items() if wanted_metric(k)}
                        row["h"] = buckets
                    except urllib.error.HTTPError as e:
                        row["metrics_error"] = metrics_error_text(e.code)
                    except Exception as e:  # noqa: BLE001
                        row["metrics_error"] = str(e)
            out.write(json.dumps(row) + "\n")
            out.flush()
            time.sleep(max(0.0, args.interval - (time.time() - t)))


API_KEY_ENV = "INGEST_SCEN_API_KEY"


def metrics_request(url):
    """GET /metrics, with the API key when one is given (the server may require one once its HTTP API has keys)."""
    key = os.environ.get(API_KEY_ENV)
    headers = {"X-Api-Key": key, "Authorization": "Bearer " + key} if key else {}
    return urllib.request.Request(url, headers=headers)


def metrics_error_text(code):
    if code in (401, 403):
        hint = "the key was refused" if os.environ.get(API_KEY_ENV) else f"set {API_KEY_ENV}"
        return f"/metrics answered {code}: {hint} (server metrics are missing from this run)"
    return f"/metrics answered {code}"


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
    out["fleet_cpu"] = fleet_cpu(report)
    errs = sorted({r["metrics_error"] for r in w if r.get("metrics_error")})
    if errs:
        out["metrics_error"] = errs[0]
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


def fleet_cpu(report):
    """The fleet's own CPU per acknowledged frame (LoadGen reports it; older builds do not)."""
    cpu = report.get("cpu") or {}
    return {"us_per_frame": cpu.get("steadyMicrosecondsPerFrame") or cpu.get("runMicrosecondsPerFrame"),
            "steady": cpu.get("steadyMicrosecondsPerFrame") is not None, "cpu_s": cpu.get("processSeconds")}


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
           "keeps_up": acked_fps >= 0.95 * args.offered, "passed": clean and acked_fps >= 0.95 * args.offered,
           "fleet_cpu": fleet_cpu(report)}
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
    if "cpu" in ran:
        section_cpu(run, p)
    if "reissue" in ran:
        section_reissue(run, meta, p)
    if "profile" in ran:
        section_profile(run, p)
    goal_table(run, p)
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
    storms = storm_runs(run)
    if storms["server"] or storms["sink"]:
        p("| target | runs | terminals | logins/s (median) | each run | all logged in | time to all (s, median) | connect p50 / p99 ms (median) | connects > 900 ms | listen-queue overflows | errors |")
        p("|---|---:|---:|---:|---|---|---:|---|---|---|---|")
        sizes = sorted({s["terminals"] for k in storms for s in storms[k]})
        for n in sizes:
            for kind, label in (("server", "ingest server"), ("sink", "bare sink")):
                runs = [r for r in storms[kind] if r["terminals"] == n]
                if not runs:
                    continue
                p(f"| {label} | {len(runs)} | {n:,} | {fmt(median([r['logins_per_second'] for r in runs]))} | "
                  f"{', '.join(fmt(r['logins_per_second']) for r in runs)} | {', '.join('yes' if r['all_logged_in'] else 'NO' for r in runs)} | "
                  f"{fmt(median([r['seconds_to_all'] for r in runs]), 2)} | "
                  f"{fmt(median([r['connect_ms']['p50'] for r in runs]), 1)} / {fmt(median([r['connect_ms']['p99'] for r in runs]), 1)} | "
                  f"{', '.join(str(r.get('connects_over900_ms', 'n/a')) for r in runs)} | "
                  f"{', '.join(str(r.get('listen_overflows', 'n/a')) for r in runs)} | {'; '.join(json.dumps(r['errors']) for r in runs if r.get('errors')) or 'none'} |")
        p("")
        for n in sizes:
            srv = median([s["logins_per_second"] for s in storms["server"] if s["terminals"] == n])
            snk = median([s["logins_per_second"] for s in storms["sink"] if s["terminals"] == n])
            p(f"{n:,} terminals: ratio server/sink **{ratio(srv, snk)}**; goal 20,000/s: **{'met' if srv and srv >= 20000 else 'not met'}** ({fmt(srv)}/s).")
            p("")
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
        p("| offered/s | acked/s | data ack p50 / p99 ms | ClickHouse lag end / max (s of input) | Redis lag end/max | relay lag end/max | CPU % of a core: server / ClickHouse / Redis | server CPU µs per frame | fleet CPU µs per frame | host busy % | ClickHouse check (waited) | platform check | verdict |")
        p("|---:|---:|---|---|---|---|---|---:|---:|---:|---|---|---|")
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
              f"{fmt(s.get('redis_process', {}).get('cpu_pct_of_one_core'))} | {fmt(s.get('server_cpu_us_per_frame'))} | {fmt((s.get('fleet_cpu') or {}).get('us_per_frame'), 1)} | {fmt(s.get('server', {}).get('host_busy_pct'))} | "
              f"{'PASS' if ch.get('passed') else 'FAIL'} ({fmt(ch.get('waited_s'), 1)} s) | {'PASS' if pl.get('passed') else 'FAIL'} | {'pass' if s['passed'] else 'FAIL'} |")
        p("")
        if sink_steps:
            p("Bare sink, same fleet:")
            p("")
            p("| offered/s | acked/s | data ack p50 / p99 ms | sink CPU % of a core | sink CPU µs per frame | fleet CPU µs per frame | host busy % | verdict |")
            p("|---:|---:|---|---:|---:|---:|---:|---|")
            for s in sink_steps:
                dl = s.get("data_latency", {})
                p(f"| {fmt(s['offered_fps'])} | {fmt(s['acked_fps'])} | {fmt(dl.get('p50Ms'), 1)} / {fmt(dl.get('p99Ms'), 1)} | "
                  f"{fmt(s.get('sink', {}).get('cpu_pct_of_one_core'))} | {fmt(s.get('sink_cpu_us_per_frame'))} | {fmt((s.get('fleet_cpu') or {}).get('us_per_frame'), 1)} | {fmt(s.get('sink', {}).get('host_busy_pct'))} | {'pass' if s['passed'] else 'FAIL'} |")
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
    p("#### 3b. Acknowledgement latency at half the sustained rate (issue 7 goal 3: p99 at most 2 x the sink's p99 + 5 ms)")
    p("")
    if half:
        dl = half["data_latency"]
        sdl = (half_sink or {}).get("data_latency", {})
        hs = half.get("server_histograms", {})
        p(f"Offered {fmt(half['offered_fps'])} frames/s, acknowledged {fmt(half['acked_fps'])}/s, clean: {half['clean']}, lag growing: {half['growing'] or 'no'}; "
          f"fleet CPU {fmt((half.get('fleet_cpu') or {}).get('us_per_frame'), 1)} µs per frame against the server, "
          f"{fmt(((half_sink or {}).get('fleet_cpu') or {}).get('us_per_frame'), 1)} against the sink.")
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
        limit = 2 * sdl["p99Ms"] + 5 if sdl.get("p99Ms") is not None else None
        p(f"p99 ratio server/sink: **{ratio(dl['p99Ms'], sdl.get('p99Ms'))}**. Goal (2 x sink p99 + 5 ms = {fmt(limit, 1)} ms): "
          f"**{'met' if limit is not None and dl['p99Ms'] <= limit else 'not met'}**.")
    else:
        p("Not run.")
    p("")
    p("#### 4. Freshness: acknowledgement to row visible in ClickHouse (issue 7 goal 4: p99 1 s or less)")
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
          f"Goal 1 s: **{'met' if fr['freshness_ms']['p99'] is not None and fr['freshness_ms']['p99'] <= 1000 and fr['rows_never_visible'] == 0 else 'not met'}**. "
          "Figures are upper bounds: a row counts as visible at the answer of the first count query that saw it.")
    else:
        p("Not run.")
    p("")



def section_cpu(run, p):
    p("#### CPU per acknowledged frame until stored and relayed (goal 2)")
    p("")
    d = os.path.join(run, "cpu")
    rows = [jload(os.path.join(d, n)) for n in sorted(os.listdir(d)) if n.endswith(".json") and not n.endswith(".fleet.json") and not n.endswith(".platform.json")] if os.path.isdir(d) else []
    rows = [r for r in rows if r and "us_per_frame" in r]
    if not rows:
        p("Not run.")
        p("")
        return
    p("Server (or sink) CPU from /proc/<pid>/stat, from the fleet's start until its ClickHouse and platform checks saw every "
      "acknowledged frame, over every acknowledged frame (logins and heartbeats included).")
    p("")
    p("| regime | target | terminals | offered/s | acked/s (over the fleet's run) | CPU s (fleet start to all stored) | µs per frame | fleet µs per frame | stored and relayed, clean |")
    p("|---|---|---:|---:|---:|---:|---:|---:|---|")
    names = {"server": "server: spool, ClickHouse, Redis, relay", "spool": "server: spool only", "sink": "bare sink"}
    order = {"busy": 0, "realistic": 1, "server": 0, "spool": 1, "sink": 2}
    for r in sorted(rows, key=lambda r: (order.get(r["regime"], 9), order.get(r["target"], 9))):
        p(f"| {r['regime']} | {names.get(r['target'], r['target'])} | {r['terminals']:,} | {fmt(r['offered_fps'])} | {fmt(r['acked_fps'])} | "
          f"{fmt(r['cpu_s'], 1)} | **{fmt(r['us_per_frame'], 1)}** | {fmt((r.get('fleet_cpu') or {}).get('us_per_frame'), 1)} | {'yes' if r.get('complete') else 'NO'} |")
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
            p("| server runs | acked/s | server CPU % of a core | server CPU µs per frame | fleet CPU µs per frame | data ack p50 / p99 ms | lag growing |")
            p("|---|---:|---:|---:|---:|---|---|")
            names = {"clickhouse,redis,relay": "everything (spool, ClickHouse, Redis, relay)", "redis,relay": "without ClickHouse",
                     "clickhouse,relay": "without Redis", "clickhouse,redis": "without the relay", "spool-only": "spool only (no ClickHouse, Redis, relay)"}
            for r in rows:
                dl = r.get("data_latency", {})
                p(f"| {names.get(r.get('variant'), r.get('variant'))} | {fmt(r.get('acked_fps'))} | {fmt(r.get('server', {}).get('cpu_pct_of_one_core'))} | "
                  f"{fmt(r.get('server_cpu_us_per_frame'))} | {fmt((r.get('fleet_cpu') or {}).get('us_per_frame'), 1)} | {fmt(dl.get('p50Ms'), 1)} / {fmt(dl.get('p99Ms'), 1)} | {', '.join(r.get('growing') or []) or 'no'} |")
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


# ------------------------------------------------------------------------------------------- goal 2: CPU per frame

def cpurow(args):
    """CPU per acknowledged frame of one target (server, spool-only server, sink) over one whole fleet run."""
    with open(args.fleet) as f:
        fleet = json.load(f)
    report = fleet["report"]
    acked = report["counters"]["framesAcknowledged"]
    ch, pl = summarize_check(fleet.get("clickHouse")), summarize_check(fleet.get("platform"))
    out = {"regime": args.regime, "target": args.target, "terminals": args.terminals, "offered_fps": args.offered,
           "acked_frames": acked, "fleet_seconds": report.get("elapsedSeconds"),
           "acked_fps": round(acked / (report.get("elapsedSeconds") or args.seconds)) if (report.get("elapsedSeconds") or args.seconds) else None,
           "cpu_s": round(args.cpu_s, 3), "seconds": round(args.seconds, 1),
           "us_per_frame": round(args.cpu_s * 1e6 / acked, 1) if acked else None,
           "clean": report["counters"]["framesAcknowledged"] == report["framesExpectingAck"] and not report["counters"]["errors"],
           "clickhouse_check": ch, "platform_check": pl, "fleet_cpu": fleet_cpu(report)}
    out["complete"] = bool(out["clean"] and ch["passed"] is not False and pl["passed"] is not False)
    print(json.dumps(out))


# ------------------------------------------------------------------------------------------------- fleet-ab.sh

def rusage(args):
    """Runs a command with stdout to a file and prints its CPU time from wait4 (includes what it waited for)."""
    import subprocess
    cmd = args.command[1:] if args.command and args.command[0] == "--" else args.command
    with open(args.out, "w") as out:
        t = time.time()
        proc = subprocess.Popen(cmd, stdout=out)
        _, status, ru = os.wait4(proc.pid, 0)
    print(json.dumps({"user_s": ru.ru_utime, "sys_s": ru.ru_stime, "cpu_s": ru.ru_utime + ru.ru_stime,
                      "wall_s": round(time.time() - t, 2), "exit": os.waitstatus_to_exitcode(status)}))


def abrow(args):
    fleet = jload(args.fleet) or {"report": {"counters": {"framesAcknowledged": 0}, "dataLatency": {}}}
    ru = jload(args.rusage) or {}
    report = fleet["report"]
    acked = report["counters"]["framesAcknowledged"]
    cpu = report.get("cpu") or {}
    print(json.dumps({"side": args.side, "round": args.round, "acked_fps": round(acked / args.duration),
                      "fleet_us_per_frame": round(ru["cpu_s"] * 1e6 / acked, 2) if acked and "cpu_s" in ru else None,
                      "fleet_sys_share": round(ru["sys_s"] / ru["cpu_s"], 2) if ru.get("cpu_s") else None,
                      "fleet_steady_us_per_frame": cpu.get("steadyMicrosecondsPerFrame"),
                      "sink_us_per_frame": round(args.sink_cpu_s * 1e6 / acked, 2) if acked else None,
                      "data_p99_ms": report.get("dataLatency", {}).get("p99Ms"), "clean": fleet.get("passed")}))


def abtable(args):
    rows = load_samples(args.runs)
    p = print
    p(f"{args.title}")
    p("")
    p("| side | runs | acked/s (median) | fleet µs per frame, whole run (median) | each run | fleet steady µs per frame | system share of fleet CPU | sink µs per frame (median) | fleet / sink | data p99 ms |")
    p("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    med = {}
    for side in ("base", "new"):
        r = [x for x in rows if x["side"] == side]
        if not r:
            continue
        fl = median([x["fleet_us_per_frame"] for x in r])
        sk = median([x["sink_us_per_frame"] for x in r])
        med[side] = fl
        p(f"| {side} | {len(r)} | {fmt(median([x['acked_fps'] for x in r]))} | **{fmt(fl, 1)}** | {', '.join(fmt(x['fleet_us_per_frame'], 1) for x in r)} | "
          f"{fmt(median([x['fleet_steady_us_per_frame'] for x in r]), 1)} | {fmt(median([x['fleet_sys_share'] for x in r]), 2)} | {fmt(sk, 1)} | "
          f"{ratio(fl, sk)} | {fmt(median([x['data_p99_ms'] for x in r]), 1)} |")
    p("")
    p(f"Fleet CPU per frame, new / base: **{ratio(med.get('new'), med.get('base'))}**.")


# ------------------------------------------------------------------------------------- goal 5: micro-benchmarks

MICRO_CELLS = [
    # goal, class, benchmark method, Record param, limit in µs
    ("GB/T 32960 96 cells / 32 probes: ClickHouse rows", "ClickHouseRowBenchmarks", "WalkersToRowBinary", "Gb2016_96cells_32probes", 2.0),
    ("HJ 1239 10 items: ClickHouse rows", "ClickHouseRowBenchmarks", "WalkersToRowBinary", "Hj1239_10items", 2.0),
    ("GB/T 32960 96 cells: Redis state update", "VehicleStateBenchmarks", "WalkersToValue", "Gb2016_96cells_32probes", 1.0),
    ("HJ 1239 10 items: Redis state update", "VehicleStateBenchmarks", "WalkersToValue", "Hj1239_10items", 1.0),
]
UNITS_US = {"ns": 1e-3, "μs": 1.0, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
BYTES = {"B": 1, "KB": 1024, "MB": 1024 * 1024, "GB": 1024 ** 3}


def parse_quantity(text, units):
    """'1,234.5 ns' -> 1.2345 (µs); '0 B' / '-' -> 0 bytes; None when unreadable."""
    text = (text or "").strip().strip('"')
    if text in ("-", "0", ""):
        return 0.0 if text in ("-", "0") else None
    parts = text.replace(",", "").split()
    if len(parts) != 2 or parts[1] not in units:
        return None
    try:
        return float(parts[0]) * units[parts[1]]
    except ValueError:
        return None


def read_bdn_csv(path):
    """Rows of a BenchmarkDotNet *-report.csv as dicts (BenchmarkDotNet writes ';' or ',' as its separator)."""
    import csv
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    head = text.splitlines()[0] if text else ""
    sep = ";" if head.count(";") > head.count(",") else ","
    return list(csv.DictReader(text.splitlines(), delimiter=sep))


def param_matches(cell, value):
    """BenchmarkDotNet shortens long parameter values in its tables: 'Gb201(...)robes [23]' = 23 characters, that start and end."""
    if cell is None:
        return False
    m = re.fullmatch(r"(.*)\(\.\.\.\)(.*) \[(\d+)\]", cell)
    if not m:
        return cell == value
    return len(value) == int(m.group(3)) and value.startswith(m.group(1)) and value.endswith(m.group(2))


def latest_micro(roots):
    """The newest *-report.csv per benchmark class under the artifact roots: {class: (path, mtime)}."""
    found = {}
    for root in roots:
        if not root or not os.path.isdir(root):
            continue
        for dirpath, _, files in os.walk(root):
            for name in files:
                if not name.endswith("-report.csv"):
                    continue
                for cls in {c[1] for c in MICRO_CELLS}:
                    if cls in name:
                        path = os.path.join(dirpath, name)
                        mtime = os.path.getmtime(path)
                        if cls not in found or mtime > found[cls][1]:
                            found[cls] = (path, mtime)
    return found


def micro_rows(roots):
    found = latest_micro(roots)
    rows = []
    for goal, cls, method, record, limit in MICRO_CELLS:
        if cls not in found:
            rows.append({"goal": goal, "limit_us": limit, "not_run": f"no {cls} results under {', '.join(r for r in roots if r)}: run bench/run-micro.sh args --filter '*{cls}*'"})
            continue
        path = found[cls][0]
        try:
            table = read_bdn_csv(path)
        except (OSError, IndexError, ValueError) as e:
            rows.append({"goal": goal, "limit_us": limit, "not_run": f"{path}: {e}"})
            continue
        cell = next((r for r in table if r.get("Method") == method and param_matches(r.get("Record"), record)), None)
        if cell is None:
            rows.append({"goal": goal, "limit_us": limit, "not_run": f"{os.path.basename(path)} has no {method} / {record} row"})
            continue
        rows.append({"goal": goal, "limit_us": limit, "mean_us": parse_quantity(cell.get("Mean"), UNITS_US),
                     "allocated_b": parse_quantity(cell.get("Allocated", "-"), BYTES), "source": path,
                     "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(found[cls][1]))})
    return rows


# ------------------------------------------------------------------------------------------- the issue 7 goals

def lin_fit(points):
    """Least squares y = a + b x; (a, b) or None with fewer than two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    if den == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / den
    return my - b * mx, b


def goal_row(goal, target, measured, ratio_text, passed, note=""):
    return {"goal": goal, "target": target, "measured": measured, "ratio": ratio_text,
            "pass": "not run" if passed is None else ("PASS" if passed else "FAIL"), "note": note}


def not_run(goal, target, reason):
    return goal_row(goal, target, "not run", "", None, reason)


def goals(run, micro_roots=None):
    """Every goal of issue 7 as rows: goal / target / measured / ratio / pass (and why, when not run)."""
    meta = jload(os.path.join(run, "meta.json")) or {}
    quick = meta.get("mode") == "quick"
    scaled = " (quick mode: scaled down)" if quick else ""
    rows = []

    # 1. Sustained end to end.
    ladder = jload(os.path.join(run, "sustained", "ladder.json")) or {}
    steps, sink_steps = ladder.get("server", []), ladder.get("sink", [])
    if steps and sink_steps:
        best = max([s["offered_fps"] for s in steps if s["passed"]], default=None)
        lowest = f"no step passed, the lowest offered {fmt(steps[0]['offered_fps'])}" if best is None else None
        sink_best = max([s["offered_fps"] for s in sink_steps if s["passed"]], default=None)
        grew = sorted({c for s in steps for c in (s.get("growing") or [])})
        top = " the sink passed its highest step, so its limit is higher and the ratio an upper bound;" if sink_steps[-1]["passed"] else ""
        all_passed = steps[-1]["passed"]
        capped = " every server step passed: the ladder's top is a lower bound;" if all_passed else ""
        fleet_us = median([s.get("fleet_cpu", {}).get("us_per_frame") for s in sink_steps])
        if sink_best is None:
            first = sink_steps[0]
            top = (f" the sink's lowest step failed too (the fleet sent {fmt(first.get('sent_fps'))}/s of {fmt(first['offered_fps'])}/s offered, "
                   f"{fmt(first.get('acked_fps'))}/s acknowledged): the machine or the fleet was the limit in this run;")
        note = (f"{top}{capped} lag growing at the first failing step: {', '.join(grew) or 'none'}; "
                f"fleet's own CPU against the sink {fmt(fleet_us, 1)} µs per frame").strip()
        rows.append(goal_row("1. sustained end to end, no consumer's lag grows", "≥ 0.6 × sink's highest passing rate",
                             f"{lowest or fmt(best)} / s (sink {fmt(sink_best) + ' / s' if sink_best else 'no step passed'})", ratio(best, sink_best),
                             best is not None and sink_best is not None and best >= 0.6 * sink_best, note))
        rows.append(goal_row("1. sustained end to end (absolute)", "≥ 25,000 frames/s (quiet 2-core machine)", f"{lowest or fmt(best)} / s", ratio(best, 25000),
                             best is not None and best >= 25000, f"load average at start {', '.join(meta.get('load_at_start', []) or ['?'])}"))
    else:
        rows.append(not_run("1. sustained end to end", "≥ 0.6 × sink, ≥ 25,000 / s", "the sustained scenario did not run (--only)"))

    # 2. CPU per frame: two regimes, storage vs sink and spool only vs sink.
    cpu_dir = os.path.join(run, "cpu")
    regimes = (("busy", "2,000 terminals at 10,000 frames/s"), ("realistic", "15,000 terminals every 10 s"))
    for regime, label in regimes:
        r = {t: jload(os.path.join(cpu_dir, f"{regime}-{t}.json")) for t in ("server", "spool", "sink")}
        if not any(r.values()):
            rows.append(not_run(f"2. CPU per frame, {label}", "≤ 2 × sink; spool only ≤ 1.3 × sink", "the cpu scenario did not run (--only)"))
            continue
        sink = (r["sink"] or {}).get("us_per_frame")
        ran = next(x for x in r.values() if x)
        what = f"{ran['terminals']:,} terminals, {fmt(ran['offered_fps'])} frames/s offered{scaled}"
        for target, limit, name in (("server", 2.0, "spool + ClickHouse + Redis + relay, until stored and relayed"), ("spool", 1.3, "spool only")):
            x = r[target]
            if not x:
                rows.append(not_run(f"2. CPU per frame, {label}: {name}", f"≤ {limit} × sink", "step missing"))
                continue
            us = x.get("us_per_frame")
            incomplete = "" if x.get("complete") else "; NOT every acknowledged frame stored/relayed or not clean"
            rows.append(goal_row(f"2. CPU per frame, {label}: {name}", f"≤ {limit} × sink",
                                 f"{fmt(us, 1)} µs vs sink {fmt(sink, 1)} µs", ratio(us, sink),
                                 us is not None and sink is not None and us <= limit * sink and x.get("complete"),
                                 f"{what}; fleet's own CPU {fmt(x.get('fleet_cpu', {}).get('us_per_frame'), 1)} µs per frame{incomplete}"))

    # 3. Ack latency and 4. freshness at half the highest passing rate.
    half = jload(os.path.join(run, "half", "verdict.json"))
    half_sink = jload(os.path.join(run, "half", "sink-verdict.json"))
    if half and half_sink:
        p99, sp99 = half["data_latency"].get("p99Ms"), half_sink["data_latency"].get("p99Ms")
        limit = 2 * sp99 + 5 if sp99 is not None else None
        rows.append(goal_row("3. data-ack p99 at half rate (storage and relay running)", "≤ 2 × sink p99 + 5 ms",
                             f"{fmt(p99, 1)} ms (sink {fmt(sp99, 1)} ms; limit {fmt(limit, 1)} ms)", ratio(p99, limit),
                             p99 is not None and limit is not None and p99 <= limit, f"at {fmt(half['offered_fps'])} frames/s"))
    else:
        rows.append(not_run("3. data-ack p99 at half rate", "≤ 2 × sink p99 + 5 ms", "the half-rate scenario did not run (needs sustained or --half-rate)"))
    fr = jload(os.path.join(run, "half", "freshness.json"))
    if fr:
        f99 = fr["freshness_ms"].get("p99")
        ok = f99 is not None and f99 <= 1000 and fr.get("rows_never_visible", 0) == 0
        rows.append(goal_row("4. freshness p99 at half rate (ack to row visible)", "≤ 1 s", f"{fmt(f99)} ms", ratio(f99, 1000), ok,
                             f"{fr.get('rows_never_visible', 0)} rows never visible; upper bound (poll {fr.get('poll_ms', 0):.0f} ms)"))
    else:
        rows.append(not_run("4. freshness p99 at half rate", "≤ 1 s", "the half-rate scenario did not run"))

    # 5. Micro-benchmarks.
    bench = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # bench/run-micro.sh writes under bench/BenchmarkDotNet.Artifacts; a plain `dotnet run --project` under the
    # project folder; INGEST_SCEN_MICRO_DIR names any other folder (the newest report per class wins).
    roots = micro_roots or [os.path.join(bench, "BenchmarkDotNet.Artifacts"), os.path.join(bench, "Ingest.Benchmarks", "BenchmarkDotNet.Artifacts"),
                            os.environ.get("INGEST_SCEN_MICRO_DIR")]
    for m in micro_rows(roots):
        target = f"≤ {m['limit_us']:g} µs, 0 B"
        if "not_run" in m:
            rows.append(not_run(f"5. {m['goal']}", target, m["not_run"]))
            continue
        us, b = m["mean_us"], m["allocated_b"]
        rows.append(goal_row(f"5. {m['goal']}", target, f"{fmt(us, 3)} µs, {fmt(b)} B", ratio(us, m["limit_us"]),
                             us is not None and b is not None and us <= m["limit_us"] and b == 0, f"BenchmarkDotNet {m['date']}: {m['source']}"))

    # 6. Memory per connection.
    scale = os.path.join(run, "scale", "server.jsonl")
    pts = []
    if os.path.exists(scale):
        steps6 = [json.loads(l) for l in open(scale) if l.strip()]
        pts = [(s["sessions"], s["rss_mb"] * 1024) for s in steps6 if s.get("sessions")]
    low = [p for p in pts if p[0] >= 1000] if len([p for p in pts if p[0] >= 1000]) >= 2 else pts
    fit = lin_fit(low)
    if fit:
        a, b = fit
        at100k = (a + b * 100000) / 1024 / 1024
        span = f"{low[0][0]:,}-{low[-1][0]:,}"
        short = "" if low[-1][0] >= 19000 else f"; the steps stop at {low[-1][0]:,}{scaled}"
        rows.append(goal_row("6. memory per connection (slope of server RSS, idle terminals)", "≤ 8 KB",
                             f"{b:.1f} KB per connection", ratio(b, 8),
                             b <= 8, f"least-squares fit over {len(low)} steps ({span} sessions, RSS at the end of each hold){short}; "
                                      f"extrapolated to 100,000: {at100k:.2f} GB (intercept {a / 1024:.0f} MB + slope × 100,000, assuming the slope stays linear; "
                                      f"not measured: one process's open-file limit here is {meta.get('nofile_limit', '20,000')}, so the steps stop below it)"))
    else:
        rows.append(not_run("6. memory per connection", "≤ 8 KB", "the scale scenario did not run or held fewer than two steps"))

    # 7. Connect storm.
    storms = storm_runs(run)
    sizes = sorted({s["terminals"] for s in storms["server"]} | {s["terminals"] for s in storms["sink"]})
    plan = jload(os.path.join(run, "storm", "plan.json")) or {}
    wanted = plan.get("sizes") or sizes
    for n in wanted:
        srv = median([s["logins_per_second"] for s in storms["server"] if s["terminals"] == n])
        snk = median([s["logins_per_second"] for s in storms["sink"] if s["terminals"] == n])
        if srv is None and snk is None:
            reason = plan.get("not_run", {}).get(str(n), "no result (see storm/*.err)")
            rows.append(not_run(f"7. connect storm, {n:,} terminals at once", "≥ 0.9 × sink's logins/s", reason))
            continue
        all_in = all(s.get("all_logged_in") for s in storms["server"] if s["terminals"] == n)
        rows.append(goal_row(f"7. connect storm, {n:,} terminals at once", "≥ 0.9 × sink's logins/s",
                             f"{fmt(srv)} / s (sink {fmt(snk)} / s)", ratio(srv, snk),
                             srv is not None and snk is not None and srv >= 0.9 * snk and all_in,
                             ("" if all_in else "not every terminal logged in; ") + f"median of {len([s for s in storms['server'] if s['terminals'] == n])} runs{scaled}"))
    if not wanted:
        rows.append(not_run("7. connect storm", "≥ 0.9 × sink's logins/s at 5,000 and 19,000", "the storm scenario did not run (--only)"))
    errors = sorted({e for e in metrics_errors(run)})
    return rows, errors


def metrics_errors(run):
    for name in os.listdir(run) if os.path.isdir(run) else []:
        if name.endswith(".samples.jsonl"):
            try:
                for line in open(os.path.join(run, name)):
                    if '"metrics_error"' in line:
                        yield json.loads(line)["metrics_error"]
                        break
            except (OSError, ValueError):
                continue


def storm_runs(run):
    storms = {"server": [], "sink": []}
    d = os.path.join(run, "storm")
    if os.path.isdir(d):
        for name in sorted(os.listdir(d)):
            for kind in storms:
                if name.startswith(kind + "-") and name.endswith(".json") and not name.endswith(".raw.json"):
                    j = jload(os.path.join(d, name))
                    if j and "terminals" in j:
                        storms[kind].append(j)
    return storms


def goal_table(run, p, micro_roots=None):
    rows, errors = goals(run, micro_roots)
    p("#### Issue 7 goals")
    p("")
    p("| goal | target | measured | ratio | pass | basis / why not run |")
    p("|---|---|---|---:|---|---|")
    for r in rows:
        p(f"| {r['goal']} | {r['target']} | {r['measured']} | {r['ratio'] or ''} | {r['pass']} | {r['note']} |")
    p("")
    if errors:
        p("Server metrics were not readable in some steps: " + "; ".join(errors) + ".")
        p("")


def goals_cmd(args):
    lines = []
    goal_table(args.run, lines.append)
    print("\n".join(lines))


def selftest(_args):
    """Checks the parsers and the goal arithmetic on built-in data (run by tests/LoadGen.Tests)."""
    import tempfile
    assert parse_quantity("1,234.5 ns", UNITS_US) == 1.2345
    assert parse_quantity("1.80 μs", UNITS_US) == 1.8
    assert parse_quantity("-", BYTES) == 0.0 and parse_quantity("0 B", BYTES) == 0.0
    assert parse_quantity("2.1 KB", BYTES) == 2.1 * 1024
    assert parse_quantity("n/a", UNITS_US) is None
    assert param_matches("Gb201(...)robes [23]", "Gb2016_96cells_32probes") and not param_matches("Gb201(...)robes [23]", "Gb2025_96cells_32probes")
    assert param_matches("Hj1239_10items", "Hj1239_10items")
    a, b = lin_fit([(1000, 100000), (10000, 172000), (19000, 244000)])
    assert abs(b - 8.0) < 1e-9 and abs(a - 92000) < 1e-6
    assert metrics_error_text(401).startswith("/metrics answered 401")
    with tempfile.TemporaryDirectory() as run:
        bdn = os.path.join(run, "bdn", "results")
        os.makedirs(bdn)
        with open(os.path.join(bdn, "Ingest.Benchmarks.ClickHouseRowBenchmarks-report.csv"), "w") as f:
            f.write("Method;Job;Record;Mean;Error;StdDev;Ratio;Gen0;Allocated;Alloc Ratio\n"
                    "DecodeAndRowStructs;ShortRun;Gb2016_96cells_32probes;9.100 μs;0.1 μs;0.1 μs;1.00;1;13.2 KB;1.00\n"
                    "WalkersToRowBinary;ShortRun;Gb201(...)robes [23];1,250.0 ns;10 ns;5 ns;0.14;-;-;0.00\n"
                    "WalkersToRowBinary;ShortRun;Hj1239_10items;2.5 μs;0.1 μs;0.1 μs;0.3;-;24 B;0.00\n")
        for d in ("sustained", "half", "scale", "storm", "cpu"):
            os.makedirs(os.path.join(run, d))
        json.dump({"mode": "full"}, open(os.path.join(run, "meta.json"), "w"))
        json.dump({"sizes": [5000, 19000], "not_run": {"19000": "over the descriptor limit"}}, open(os.path.join(run, "storm", "plan.json"), "w"))
        json.dump({"server": [{"offered_fps": 10000, "passed": True}, {"offered_fps": 20000, "passed": False, "growing": ["clickhouse"]}],
                   "sink": [{"offered_fps": 20000, "passed": True}, {"offered_fps": 40000, "passed": False, "fleet_cpu": {"us_per_frame": 20}}]},
                  open(os.path.join(run, "sustained", "ladder.json"), "w"))
        json.dump({"offered_fps": 5000, "data_latency": {"p99Ms": 12.0}}, open(os.path.join(run, "half", "verdict.json"), "w"))
        json.dump({"offered_fps": 5000, "data_latency": {"p99Ms": 3.0}}, open(os.path.join(run, "half", "sink-verdict.json"), "w"))
        json.dump({"freshness_ms": {"p99": 1500}, "rows_never_visible": 0, "poll_ms": 25}, open(os.path.join(run, "half", "freshness.json"), "w"))
        with open(os.path.join(run, "scale", "server.jsonl"), "w") as f:
            for n, mb in ((1000, 100), (10000, 170), (19000, 240)):
                f.write(json.dumps({"target": n, "sessions": n, "rss_mb": mb}) + "\n")
        json.dump({"terminals": 5000, "logins_per_second": 9000, "all_logged_in": True}, open(os.path.join(run, "storm", "server-5000-1.json"), "w"))
        json.dump({"terminals": 5000, "logins_per_second": 10000, "all_logged_in": True}, open(os.path.join(run, "storm", "sink-5000-1.json"), "w"))
        for t, us in (("server", 30.0), ("spool", 14.0), ("sink", 10.0)):
            json.dump({"terminals": 2000, "offered_fps": 10000, "us_per_frame": us, "complete": True, "fleet_cpu": {"us_per_frame": 9}},
                      open(os.path.join(run, "cpu", f"busy-{t}.json"), "w"))
        rows, _ = goals(run, [os.path.join(run, "bdn")])
        by = {r["goal"]: r for r in rows}
        assert by["1. sustained end to end, no consumer's lag grows"]["ratio"] == "0.50" and by["1. sustained end to end, no consumer's lag grows"]["pass"] == "FAIL"
        assert by["1. sustained end to end (absolute)"]["pass"] == "FAIL"
        assert by["2. CPU per frame, 2,000 terminals at 10,000 frames/s: spool + ClickHouse + Redis + relay, until stored and relayed"]["ratio"] == "3.00"
        assert by["2. CPU per frame, 2,000 terminals at 10,000 frames/s: spool only"]["pass"] == "FAIL"  # 1.4 > 1.3
        assert by["2. CPU per frame, 15,000 terminals every 10 s"]["pass"] == "not run"
        assert by["3. data-ack p99 at half rate (storage and relay running)"]["pass"] == "FAIL"  # 12 > 2 x 3 + 5
        assert by["4. freshness p99 at half rate (ack to row visible)"]["pass"] == "FAIL"
        assert by["5. GB/T 32960 96 cells / 32 probes: ClickHouse rows"]["pass"] == "PASS"
        assert by["5. HJ 1239 10 items: ClickHouse rows"]["pass"] == "FAIL"  # 2.5 µs and 24 B
        assert by["5. GB/T 32960 96 cells: Redis state update"]["pass"] == "not run"
        assert by["5. HJ 1239 10 items: Redis state update"]["pass"] == "not run"
        assert by["6. memory per connection (slope of server RSS, idle terminals)"]["measured"] == "8.0 KB per connection" and by["6. memory per connection (slope of server RSS, idle terminals)"]["pass"] == "PASS"
        assert by["7. connect storm, 5,000 terminals at once"]["pass"] == "PASS" and by["7. connect storm, 5,000 terminals at once"]["ratio"] == "0.90"
        assert by["7. connect storm, 19,000 terminals at once"]["note"] == "over the descriptor limit"
        assert len(rows) == 14, len(rows)
    print("scen.py selftest: ok")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--http")
    s.add_argument("--metrics", action="store_true")
    s.add_argument("--metrics-url", help="full URL of /metrics, e.g. the server's Http:MetricsUrl + /metrics (no key needed there); default: --http + /metrics")
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
    g = sub.add_parser("goals")
    g.add_argument("--run", required=True)
    c = sub.add_parser("cpurow")
    c.add_argument("--fleet", required=True)
    c.add_argument("--regime", required=True)
    c.add_argument("--target", required=True)
    c.add_argument("--terminals", type=int, required=True)
    c.add_argument("--offered", type=float, required=True)
    c.add_argument("--cpu-s", type=float, required=True)
    c.add_argument("--seconds", type=float, required=True)
    u = sub.add_parser("rusage")
    u.add_argument("--out", required=True)
    u.add_argument("command", nargs=argparse.REMAINDER)
    b = sub.add_parser("abrow")
    b.add_argument("--side", required=True)
    b.add_argument("--round", type=int, required=True)
    b.add_argument("--fleet", required=True)
    b.add_argument("--rusage", required=True)
    b.add_argument("--sink-cpu-s", type=float, required=True)
    b.add_argument("--duration", type=float, required=True)
    t = sub.add_parser("abtable")
    t.add_argument("--runs", required=True)
    t.add_argument("--title", default="Fleet cost A/B")
    sub.add_parser("selftest")
    a = ap.parse_args()
    {"netstat": netstat, "sample": sample, "window": window, "verdict": verdict, "sinkrate": sinkrate, "report": report,
     "goals": goals_cmd, "cpurow": cpurow, "rusage": rusage, "abrow": abrow, "abtable": abtable, "selftest": selftest}[a.cmd](a)


if __name__ == "__main__":
    main()
