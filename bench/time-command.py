#!/usr/bin/env python3
"""Wall time of a command that exits by itself: from process spawn to exit (must exit 0).

Variants run interleaved round-robin, as in time-to-ready.py; each median is also given as a
ratio to the first variant's (the anchor). With --fresh-dir-env VAR a variant gets a new empty
directory in VAR for every run (created before and deleted after the timed part), e.g. an empty
SLIPWAY_CACHE_DIR to time a single file's first run, which unpacks it. Each run is bounded by
--timeout (then SIGKILL to its process group). Standard library only.

Example:
  bench/time-command.py --runs 5 --warmup 1 \\
    --variant 'warm cache' --env SLIPWAY_CACHE_DIR=/tmp/warm -- ./myapp version \\
    --variant 'fresh cache' --fresh-dir-env SLIPWAY_CACHE_DIR -- ./myapp version
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def one_run(variant, env, opts, tmp_root, log_path):
    fresh = tempfile.mkdtemp(prefix="fresh-", dir=tmp_root) if variant.fresh_dir_env else None
    run_env = dict(env, **variant.env)
    if fresh:
        run_env[variant.fresh_dir_env] = fresh
    try:
        with open(log_path, "ab") as log:
            log.write(f"\n=== {variant.name}\n".encode())
            log.flush()
            offset = log.tell()
            benchlib.run_setup(variant, run_env, log)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter_ns()
            proc = benchlib.spawn(variant.argv, run_env, log)
            try:
                code, t1 = benchlib.wait_exact(proc, opts.timeout)
            except subprocess.TimeoutExpired:
                raise benchlib.BenchError(f"{variant.name}: still running after {opts.timeout:g} s\n"
                                          + benchlib.log_tail(log_path, offset))
            finally:
                benchlib.kill_group(proc)
            if code != 0:
                raise benchlib.BenchError(f"{variant.name}: exit code {code}\n" + benchlib.log_tail(log_path, offset))
            # CPU time of the command and of every process it waited for (the single file's
            # unpacker, say): a busy machine changes it less than the wall time.
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_ms = (after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime) * 1000
    finally:
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
    return benchlib.ms(t1 - t0), cpu_ms


def main():
    def options(p):
        p.add_argument("--timeout", type=float, default=120, help="SIGKILL a run after this many s (default 120)")

    opts, variants = benchlib.parse_args(sys.argv[1:], __doc__.split("\n\n")[0], options)
    env, removed = benchlib.base_env()
    started, load_before = benchlib.utc_now(), benchlib.loadavg()
    tmp_root = tempfile.mkdtemp(prefix="slipway-tc-")
    for v in variants:
        v.extra = {"cpu_ms": []}
    try:
        for _, warm, v in benchlib.schedule(variants, opts.warmup, opts.runs):
            t, cpu_ms = one_run(v, env, opts, tmp_root, os.path.join(tmp_root, f"variant-{variants.index(v)}.log"))
            (v.warmup_ms if warm else v.samples_ms).append(t)
            if not warm:
                v.extra["cpu_ms"].append(cpu_ms)
            print(f"  {'warmup' if warm else 'run':6} {v.name}: {t:.1f} ms", file=sys.stderr, flush=True)
    except benchlib.BenchError as e:
        print(f"time-command: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    print("Wall time: spawn → exit (exit code 0 required).\n")
    benchlib.report("time-command", opts, variants, {"timeout_s": opts.timeout},
                    removed, load_before, started, "Wall time")
    anchor = statistics.median(variants[0].extra["cpu_ms"])
    print("\nCPU time (user + system of the command and the processes it waited for, from getrusage(2)"
          " RUSAGE_CHILDREN; a busy machine changes it less than the wall time):\n")
    print("| Variant | CPU time median (ms) | min (ms) | max (ms) | median ÷ anchor |")
    print("|---|---:|---:|---:|---:|")
    for v in variants:
        c = sorted(v.extra["cpu_ms"])
        print(f"| {v.name} | {statistics.median(c):.0f} | {c[0]:.0f} | {c[-1]:.0f} | "
              f"{statistics.median(c) / anchor if anchor else 0:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
