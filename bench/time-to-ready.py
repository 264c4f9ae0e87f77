#!/usr/bin/env python3
"""Time-to-ready of an HTTP service: from process spawn to the first HTTP 200 on a readiness path.

Each run picks a free loopback port, spawns the variant's command with PORT=<port>,
ADDR=127.0.0.1 and DATA_DIR=<new empty temp dir>, polls http://127.0.0.1:<port><path> every
--interval-ms until it answers 200 (at most --ready-timeout s), records the elapsed time, then
sends SIGTERM and waits (at most --stop-timeout s, then SIGKILL to its process group).

Several variants run in one invocation, interleaved round-robin so that load drift on the
machine affects all of them alike; the report gives each variant's median as a ratio to the
first variant's (the anchor). With it: the CPU time the process had used when it was ready, and
that time split by thread group (JIT compiler threads, GC and VM thread, the main thread, the
rest), read from /proc. Only loopback traffic. Standard library only.

Example:
  bench/time-to-ready.py --runs 11 --json out.json \\
    --variant 'java -jar' -- java -jar app.jar \\
    --variant 'single file' --env SLIPWAY_CACHE_DIR=/tmp/c -- ./myapp
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def free_port():
    """A port that was free on 127.0.0.1 a moment ago (the kernel picks it; the child binds it
    right after, so a collision is unlikely, and a run on a taken port fails rather than lies:
    the child must still be running when the 200 arrives)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe(port, path, timeout):
    """One GET over a new connection; returns the HTTP status code, or None if there is none yet."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(request)
            buf = b""
            while b"\r\n" not in buf and len(buf) < 8192:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
    except OSError:  # refused, reset, timed out
        return None
    parts = buf.split(b"\r\n", 1)[0].split()
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def cpu_ms(pid):
    """CPU time (user + system, all threads) the process has used so far, in ms, from
    /proc/PID/stat (proc(5): fields 14 and 15, in clock ticks); None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# Thread groups of a HotSpot JVM, by the thread names it gives its own threads (what
# /proc/PID/task/TID/comm shows: the first 15 bytes of the name). The Java main thread keeps the
# launcher's command name ("java"), as does the launcher's primordial thread, which only waits.
THREAD_GROUPS = (
    ("JIT", ("C1 CompilerThre", "C2 CompilerThre", "JVMCI")),
    ("GC/VM", ("GC Thread", "G1 ", "VM Thread", "VM Periodic", "Parallel", "Serial")),
    ("main", ("java",)),
)


def thread_group(comm):
    """The group (JIT, GC/VM, main or other) of a thread by its command name."""
    for group, prefixes in THREAD_GROUPS:
        if any(comm == p or comm.startswith(p) for p in prefixes):
            return group
    return "other"


def thread_cpu_ms(pid):
    """CPU time (user + system, ms) the process's live threads have used so far, summed per
    thread group (thread_group): {"JIT": ..., "GC/VM": ..., "main": ..., "other": ...}, from
    /proc/PID/task/TID/stat (proc(5)). A thread that has already ended is not counted, so the sum
    can be below cpu_ms; None when /proc cannot be read."""
    out = {group: 0.0 for group, _ in THREAD_GROUPS}
    out["other"] = 0.0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        out[thread_group(comm)] += (int(fields[11]) + int(fields[12])) * 1000 / tick
    return out


def one_run(variant, env, opts, tmp_root, log_path):
    """Runs the variant once; returns (time to ready ms, exit code, stop ms, polls, CPU ms to ready,
    CPU ms to ready per thread group)."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="data-", dir=tmp_root)
    fresh = tempfile.mkdtemp(prefix="fresh-", dir=tmp_root) if variant.fresh_dir_env else None
    run_env = dict(env, **variant.env, PORT=str(port), ADDR="127.0.0.1", DATA_DIR=data_dir)
    if fresh:
        run_env[variant.fresh_dir_env] = fresh
    interval = opts.interval_ms / 1000
    with open(log_path, "ab") as log:
        log.write(f"\n=== {variant.name}: port {port}, DATA_DIR {data_dir}\n".encode())
        log.flush()
        offset = log.tell()
        benchlib.run_setup(variant, run_env, log)
        t0 = time.perf_counter_ns()
        proc = benchlib.spawn(variant.argv, run_env, log)
        try:
            deadline = t0 + int(opts.ready_timeout * 1e9)
            polls = 0
            while True:
                now = time.perf_counter_ns()
                if now >= deadline:
                    raise benchlib.BenchError(
                        f"{variant.name}: no 200 on {opts.path} within {opts.ready_timeout:g} s (port {port})\n"
                        + benchlib.log_tail(log_path, offset))
                code = proc.poll()
                if code is not None:
                    raise benchlib.BenchError(
                        f"{variant.name}: exited with code {code} before it was ready\n"
                        + benchlib.log_tail(log_path, offset))
                polls += 1
                status = probe(port, opts.path, min(2.0, (deadline - now) / 1e9))
                t1 = time.perf_counter_ns()
                if status == 200:
                    break
                time.sleep(min(interval, max(0.0, (deadline - t1) / 1e9)))
            if proc.poll() is not None:
                raise benchlib.BenchError(f"{variant.name}: got 200 but the process had exited: "
                                          f"something else listens on port {port}?")
            ready_ms = benchlib.ms(t1 - t0)
            # The stub execs java, so the child's PID is the JVM's: its CPU time when it was ready,
            # which a busy machine changes less than the wall time.
            ready_cpu_ms = cpu_ms(proc.pid)
            ready_threads_ms = thread_cpu_ms(proc.pid)
            if ready_threads_ms is not None and ready_cpu_ms is not None:
                # Threads that ended before the 200 (a start-up task's) count in the process's
                # time only; read just before, so a tick more or less: never below 0.
                ready_threads_ms["ended"] = max(0.0, ready_cpu_ms - sum(ready_threads_ms.values()))

            s0 = time.perf_counter_ns()
            proc.send_signal(signal.SIGTERM)
            try:
                exit_code, s1 = benchlib.wait_exact(proc, opts.stop_timeout)
            except subprocess.TimeoutExpired:
                benchlib.kill_group(proc)
                exit_code, s1 = "killed", time.perf_counter_ns()
            stop_ms = benchlib.ms(s1 - s0)
        finally:
            benchlib.kill_group(proc)
            shutil.rmtree(data_dir, ignore_errors=True)
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)
    return ready_ms, exit_code, stop_ms, polls, ready_cpu_ms, ready_threads_ms


def print_thread_split(variants):
    """Prints the median CPU time to ready of each thread group per variant (thread_cpu_ms, with
    the threads already ended), and the median share of the JIT in the process's CPU time."""
    groups = [g for g, _ in THREAD_GROUPS] + ["other", "ended"]
    print("\nCPU time to ready by thread (medians, ms; JIT: the C1/C2 compiler threads, GC/VM: the "
          "collector's and the VM thread, main: the Java main thread and the launcher's, other: the app's "
          "other threads and the JVM's remaining ones, ended: threads that had ended by then, the "
          "process's CPU time less the others):\n")
    print("| Variant | " + " | ".join(groups) + " | JIT share |")
    print("|---|" + "---:|" * (len(groups) + 1))
    for v in variants:
        runs = [t for t in v.extra["thread_cpu_ms"] if t is not None]
        if not runs:
            continue
        med = {g: statistics.median(t.get(g, 0.0) for t in runs) for g in groups}
        share = statistics.median(t["JIT"] / sum(t.values()) for t in runs if sum(t.values()) > 0) \
            if any(sum(t.values()) > 0 for t in runs) else None
        print(f"| {v.name} | " + " | ".join(f"{med[g]:.0f}" for g in groups)
              + f" | {'—' if share is None else f'{share:.0%}'} |")


def main():
    def options(p):
        p.add_argument("--path", default="/health/ready", help="readiness path (default /health/ready)")
        p.add_argument("--interval-ms", type=float, default=5, help="poll interval (default 5)")
        p.add_argument("--ready-timeout", type=float, default=30, help="give up a run after this many s (default 30)")
        p.add_argument("--stop-timeout", type=float, default=10, help="SIGKILL after SIGTERM + this many s (default 10)")

    opts, variants = benchlib.parse_args(sys.argv[1:], __doc__.split("\n\n")[0], options)
    env, removed = benchlib.base_env()
    started, load_before = benchlib.utc_now(), benchlib.loadavg()
    tmp_root = tempfile.mkdtemp(prefix="slipway-ttr-")
    for v in variants:
        v.extra = {"exit_codes": [], "stop_ms": [], "polls": [], "cpu_ms": [], "thread_cpu_ms": []}
    try:
        for _, warm, v in benchlib.schedule(variants, opts.warmup, opts.runs):
            ready_ms, code, stop_ms, polls, ready_cpu, ready_threads = one_run(v, env, opts, tmp_root,
                                                     os.path.join(tmp_root, f"variant-{variants.index(v)}.log"))
            if warm:
                v.warmup_ms.append(ready_ms)
            else:
                v.samples_ms.append(ready_ms)
                v.extra["exit_codes"].append(code)
                v.extra["stop_ms"].append(stop_ms)
                v.extra["polls"].append(polls)
                v.extra["cpu_ms"].append(ready_cpu)
                v.extra["thread_cpu_ms"].append(ready_threads)
            print(f"  {'warmup' if warm else 'run':6} {v.name}: {ready_ms:.1f} ms (exit {code})",
                  file=sys.stderr, flush=True)
    except benchlib.BenchError as e:
        print(f"time-to-ready: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    print(f"Time to ready: spawn → first HTTP 200 on {opts.path}, polled every {opts.interval_ms:g} ms.\n")
    benchlib.report("time-to-ready", opts, variants,
                    {"path": opts.path, "interval_ms": opts.interval_ms, "ready_timeout_s": opts.ready_timeout,
                     "stop_timeout_s": opts.stop_timeout},
                    removed, load_before, started, "Time to ready")
    cpu = [(v.name, sorted(c for c in v.extra["cpu_ms"] if c is not None)) for v in variants]
    if all(c for _, c in cpu):
        anchor = statistics.median(cpu[0][1])
        print("\nCPU time to ready (user + system of the process, all threads, from /proc/PID/stat when the "
              "200 arrived; a busy machine changes it less than the wall time):\n")
        print("| Variant | CPU time to ready median (ms) | min (ms) | max (ms) | median ÷ anchor |")
        print("|---|---:|---:|---:|---:|")
        for name, c in cpu:
            # The Go anchor can use less CPU than /proc's 10 ms tick shows: 0, and no ratio then.
            ratio = f"{statistics.median(c) / anchor:.2f}" if anchor else "—"
            print(f"| {name} | {statistics.median(c):.0f} | {c[0]:.0f} | {c[-1]:.0f} | {ratio} |")
        print_thread_split(variants)
    bad = {v.name: [c for c in v.extra["exit_codes"] if c != 0] for v in variants}
    bad = {k: c for k, c in bad.items() if c}
    if bad:
        print("\nNote: not every process exited 0 after SIGTERM: "
              + "; ".join(f"{k}: {c}" for k, c in bad.items()) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
