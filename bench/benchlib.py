"""Shared helpers for the bench/ scripts: command-line parsing of named variants, child process
handling, statistics, and the Markdown/JSON reports. Standard library only (Python 3.8+)."""

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time

# JVM option variables that would change one variant but not another (the Slipway stub reads
# JAVA_OPTS, `java` reads the others). They are removed from the children's environment unless a
# variant sets them itself with --env.
JVM_OPTION_VARS = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS")

VARIANT_HELP = """\
variants (after the options above, at least one; the first is the anchor):
  --variant NAME [--env KEY=VALUE]... [--fresh-dir-env VAR] [--setup SHELL-CMD] -- COMMAND [ARG]...

  --env KEY=VALUE       set an environment variable for this variant's processes
  --fresh-dir-env VAR   before every run create a new empty directory, pass it in VAR,
                        and delete it after the run (not timed)
  --setup SHELL-CMD     before every run (warmup runs too) run SHELL-CMD with sh -c, in the
                        variant's environment (not timed; must exit 0 within 60 s), e.g. to
                        change a source file before timing an incremental build
  A COMMAND must not contain the word --variant (it starts the next variant)."""


class BenchError(Exception):
    """A run failed; the benchmark stops (numbers from a partly failed run are not reported)."""


class Variant:
    def __init__(self, name, argv, env, fresh_dir_env, setup=None):
        self.name = name
        self.argv = argv
        self.env = env
        self.fresh_dir_env = fresh_dir_env
        self.setup = setup
        self.warmup_ms = []
        self.samples_ms = []
        self.extra = {}  # per-run details a script wants in the JSON (lists, same order as samples)


def parse_args(argv, description, add_options):
    """Parses `[options] --variant ... [--variant ...]`.

    add_options(parser) adds the script's own options. Returns (options, [Variant]).
    """
    parser = argparse.ArgumentParser(
        description=description, epilog=VARIANT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="measured runs per variant (default 11)")
    parser.add_argument("--warmup", type=int, default=2, help="warmup runs per variant, not reported (default 2)")
    parser.add_argument("--json", metavar="PATH", help="write raw numbers as JSON to PATH")
    add_options(parser)

    starts = [i for i, a in enumerate(argv) if a == "--variant"]
    opts = parser.parse_args(argv[:starts[0]] if starts else argv)
    if not starts:
        parser.error("at least one --variant is needed")
    if not 1 <= opts.runs <= 1000:
        parser.error("--runs must be between 1 and 1000")
    if not 0 <= opts.warmup <= 100:
        parser.error("--warmup must be between 0 and 100")

    variants = []
    for k, start in enumerate(starts):
        chunk = argv[start + 1:starts[k + 1] if k + 1 < len(starts) else len(argv)]
        if not chunk or chunk[0].startswith("--"):
            parser.error("--variant needs a NAME")
        name, rest = chunk[0], chunk[1:]
        if "--" not in rest:
            parser.error(f"variant {name!r}: put -- before its command")
        sep = rest.index("--")
        own, command = rest[:sep], rest[sep + 1:]
        if not command:
            parser.error(f"variant {name!r}: empty command")
        env, fresh, setup = {}, None, None
        i = 0
        while i < len(own):
            if own[i] == "--env" and i + 1 < len(own) and "=" in own[i + 1]:
                key, value = own[i + 1].split("=", 1)
                env[key] = value
            elif own[i] == "--fresh-dir-env" and i + 1 < len(own):
                fresh = own[i + 1]
            elif own[i] == "--setup" and i + 1 < len(own):
                setup = own[i + 1]
            else:
                parser.error(f"variant {name!r}: unexpected {own[i]!r} "
                             "(expected --env KEY=VALUE, --fresh-dir-env VAR or --setup SHELL-CMD)")
            i += 2
        if any(v.name == name for v in variants):
            parser.error(f"variant {name!r} given twice")
        variants.append(Variant(name, command, env, fresh, setup))
    return opts, variants


def base_env():
    """The parent's environment without JVM option variables; returns (env, removed names)."""
    env = dict(os.environ)
    removed = [k for k in JVM_OPTION_VARS if k in env]
    for k in removed:
        del env[k]
    return env, removed


def schedule(variants, warmup, runs):
    """Yields (round, is_warmup, variant): round-robin over the variants, the starting variant
    rotating each round so that no variant always runs right after the same other one."""
    n = len(variants)
    for r in range(warmup + runs):
        for j in range(n):
            yield r, r < warmup, variants[(r + j) % n]


def spawn(argv, env, log):
    """Starts a child in its own process group (so a stuck one can be killed with its children)."""
    try:
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        raise BenchError(f"cannot start {argv[0]!r}: {e}") from e


def run_setup(variant, env, log, timeout=60):
    """Runs the variant's --setup command (if any) before a run; not timed. Output goes to log."""
    if not variant.setup:
        return
    log.write(f"--- setup: {variant.setup}\n".encode())
    log.flush()
    try:
        proc = subprocess.Popen(["sh", "-c", variant.setup], env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        raise BenchError(f"{variant.name}: cannot run the setup command: {e}") from e
    try:
        code, _ = wait_exact(proc, timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{variant.name}: setup command still running after {timeout} s")
    finally:
        kill_group(proc)
    if code != 0:
        raise BenchError(f"{variant.name}: setup command exited with code {code}")


def wait_exact(proc, timeout):
    """Waits for the child to exit; returns (exit code, time.perf_counter_ns() at the exit).

    A blocking waitpid: the exit is seen when it happens. (Popen.wait(timeout=...) polls instead,
    sleeping up to 50 ms between polls, which put every timing on a 50 ms step: a 120 ms sleep
    measured 167-188 ms.) A watchdog thread SIGKILLs the child's process group after timeout
    seconds, and subprocess.TimeoutExpired is raised then."""
    fired = threading.Event()

    def watchdog():
        fired.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    timer = threading.Timer(timeout, watchdog)
    timer.daemon = True
    timer.start()
    try:
        code = proc.wait()
        end_ns = time.perf_counter_ns()
    finally:
        timer.cancel()
    if fired.is_set():
        raise subprocess.TimeoutExpired(proc.args, timeout)
    return code, end_ns


def kill_group(proc):
    """SIGKILLs the child's process group, then reaps the child. Only for a child not yet reaped
    (so its PID, which is the group id, is still ours)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def log_tail(path, offset, lines=20):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def ms(ns):
    return ns / 1e6


def summarize(variants):
    anchor = statistics.median(variants[0].samples_ms)
    rows = []
    for v in variants:
        med = statistics.median(v.samples_ms)
        rows.append({
            "name": v.name, "median_ms": med, "min_ms": min(v.samples_ms), "max_ms": max(v.samples_ms),
            "ratio_to_anchor": med / anchor if anchor > 0 else None, "delta_to_anchor_ms": med - anchor,
        })
    return rows


def markdown(rows, what):
    out = [f"| Variant | {what} median (ms) | min (ms) | max (ms) | median ÷ anchor | median − anchor (ms) |",
           "|---|---:|---:|---:|---:|---:|"]
    for i, r in enumerate(rows):
        ratio = "1.00 (anchor)" if i == 0 else (f"{r['ratio_to_anchor']:.2f}" if r["ratio_to_anchor"] else "n/a")
        delta = "—" if i == 0 else f"{r['delta_to_anchor_ms']:+.1f}"
        out.append(f"| {r['name']} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | {ratio} | {delta} |")
    return "\n".join(out)


def report(tool, opts, variants, settings, removed_env, load_before, started_utc, what):
    rows = summarize(variants)
    load_after = loadavg()
    print(markdown(rows, what))
    print()
    print(f"{opts.runs} measured runs per variant after {opts.warmup} warmup run(s), interleaved "
          f"round-robin; anchor: {variants[0].name}. Load average (1/5/15 min) before: {load_before}, "
          f"after: {load_after}.")
    if removed_env:
        print(f"Removed from the children's environment: {', '.join(removed_env)}.")
    if opts.json:
        data = {
            "tool": tool,
            "started_utc": started_utc,
            "command": [sys.executable] + sys.argv,
            "host": {"nproc": os.cpu_count(), "platform": platform.platform(),
                     "loadavg_before": load_before, "loadavg_after": load_after},
            "settings": dict(settings, runs=opts.runs, warmup=opts.warmup,
                             removed_env=removed_env, order="round-robin, start rotating each round"),
            "anchor": variants[0].name,
            "variants": [dict(row, argv=v.argv, env=v.env, fresh_dir_env=v.fresh_dir_env, setup=v.setup,
                              warmup_ms=v.warmup_ms, samples_ms=v.samples_ms, **v.extra)
                         for v, row in zip(variants, rows)],
        }
        os.makedirs(os.path.dirname(os.path.abspath(opts.json)), exist_ok=True)
        with open(opts.json, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
