#!/usr/bin/env python3
"""Interleaved A/B runs of the ingest server at one load, for settings whose effect is smaller than the noise of a
shared machine: variants run in turn (A B C A B C ...), each round with a fresh server and spool, and the medians and
ratios to the first variant are printed at the end.

  bench/scenarios/ab.py [--rounds 3] [--rate 5000] [--terminals 2000] [--seconds 24] [--port-base 24300] \
      NAME 'ENV=VALUE ...' NAME 'ENV=VALUE ...' ... [-- server options]

Each variant is a name and a space-separated list of environment assignments for the server process (empty: the
defaults). INGEST_BIN=path picks another server binary (for a before/after comparison). Per run: server CPU time per
acknowledged frame over the steady middle of the run (from /proc/<pid>/stat and the server's ingest_frames_total), the
data-frame acknowledgement p50/p99 the terminals saw, and the acknowledged rate. Spool only unless server options add
storage (e.g. -- --clickhouse http://127.0.0.1:18123 --redis 127.0.0.1:16379). Loopback only; stops what it starts.
"""
import os, re, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVER = os.path.join(ROOT, "src/Ingest/bin/Release/net10.0/Ingest")
FLEET = os.path.join(ROOT, "bench/LoadGen/bin/Release/net10.0/LoadGen")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def frames_total(http):
    text = urllib.request.urlopen(f"{http}/metrics", timeout=60).read().decode()  # a loaded machine answers slowly
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("ingest_frames_total"))


def wait_ready(http, timeout=30):
    until = time.time() + timeout
    while time.time() < until:
        try:
            urllib.request.urlopen(f"{http}/healthz", timeout=1)
            return True
        except Exception:
            time.sleep(0.3)
    return False


def latency(text, label):
    m = re.search(label + r"\s+p50 ([\d.]+) ms\s+p90 ([\d.]+) ms\s+p99 ([\d.]+) ms", text)
    return (float(m.group(1)), float(m.group(3))) if m else (None, None)


def run_once(name, env_spec, args, server_options, work):
    env = dict(os.environ)
    binary = SERVER
    for item in env_spec.split():
        key, value = item.split("=", 1)
        if key == "INGEST_BIN":
            binary = value
        else:
            env[key] = value
    port = args["port_base"]
    http = f"http://127.0.0.1:{port + 1}"
    spool = tempfile.mkdtemp(prefix="ab-spool-", dir=work)
    log = open(os.path.join(work, f"{name}.server.log"), "a")
    server = subprocess.Popen([binary, "serve", "--http", http, "--port", str(port), "--listen-address", "127.0.0.1",
                               "--Ingest:Listeners:1:Port", str(port + 2), "--Ingest:Listeners:1:Address", "127.0.0.1",
                               "--spool-dir", spool, "--Logging:LogLevel:Default=Warning", *server_options],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(http):
            raise RuntimeError(f"{name}: server did not come up (see {log.name})")
        interval_ms = round(1000 * args["terminals"] / args["rate"])
        seconds = args["seconds"]
        fleet = subprocess.Popen([FLEET, "fleet", "-t", f"127.0.0.1:{port}", "-n", str(args["terminals"]),
                                  "--interval", f"{interval_ms}ms", "--ramp", str(args["terminals"]),
                                  "--duration", f"{seconds}s", "-q"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        window = seconds / 2
        time.sleep((seconds - window) / 2 + 1)
        t0, f0 = cpu_ticks(server.pid), frames_total(http)
        time.sleep(window)
        t1, f1 = cpu_ticks(server.pid), frames_total(http)
        out, _ = fleet.communicate(timeout=seconds + 60)
        frames = f1 - f0
        us = (t1 - t0) / CLK_TCK * 1e6 / frames if frames else float("nan")
        p50, p99 = latency(out, "data only")
        acked = re.search(r"acked ([\d,]+)/s", out)
        return {"us_per_frame": us, "p50": p50, "p99": p99, "acked": int(acked.group(1).replace(",", "")) if acked else None}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(spool, ignore_errors=True)


def main(argv):
    args = {"rounds": 3, "rate": 5000, "terminals": 2000, "seconds": 24, "port_base": 24300}
    server_options = []
    if "--" in argv:
        i = argv.index("--")
        argv, server_options = argv[:i], argv[i + 1:]
    variants = []
    while argv:
        if argv[0].startswith("--"):
            args[argv[0][2:].replace("-", "_")] = int(argv[1])
            argv = argv[2:]
        else:
            variants.append((argv[0], argv[1]))
            argv = argv[2:]
    work = tempfile.mkdtemp(prefix="ab-", dir=os.path.join(ROOT, "var") if os.path.isdir(os.path.join(ROOT, "var")) else None)
    results = {name: [] for name, _ in variants}
    print(f"# {args['rounds']} rounds, {args['terminals']} terminals at {args['rate']} frames/s, {args['seconds']} s each; "
          f"server options {' '.join(server_options) or '(defaults)'}", flush=True)
    for r in range(args["rounds"]):
        for name, spec in variants:
            res = run_once(name, spec, args, server_options, work)
            results[name].append(res)
            print(f"round {r + 1} {name:>14}: {res['us_per_frame']:7.1f} us/frame  data-ack p50 {res['p50']} ms p99 {res['p99']} ms"
                  f"  acked {res['acked']}/s  (load {os.getloadavg()[0]:.1f})", flush=True)
    base = None
    print("\n| variant | environment | µs/frame (median) | ratio | data-ack p50 ms | p99 ms (median) | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, spec in variants:
        us = statistics.median(x["us_per_frame"] for x in results[name])
        p50 = statistics.median(x["p50"] for x in results[name] if x["p50"] is not None)
        p99 = statistics.median(x["p99"] for x in results[name] if x["p99"] is not None)
        base = base or (us, p99)
        print(f"| {name} | `{spec or 'defaults'}` | {us:.1f} | {us / base[0]:.2f} | {p50:.2f} | {p99:.2f} | {p99 / base[1]:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
