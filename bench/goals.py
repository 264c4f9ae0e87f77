#!/usr/bin/env python3
"""Prints the goals table of bench/run.sh (issues 3 and 21) from the JSON files of one run.

Every figure comes from numbers measured in the same run: ratios are ratios of medians.
A goal that is not met says so in the last column. The variant names below must match those
bench/run.sh gives to time-to-ready.py and time-command.py. Standard library only.

Usage: bench/goals.py OUT_DIR   (reads time-to-ready.json, first-run.json, build-cold.json,
                                 build-warm.json, build-unchanged.json, sizes.tsv from OUT_DIR)
"""

import json
import os
import sys

# Variant names used by bench/run.sh.
GO = "Go net/http hello"
JAR17 = "java -jar (JDK 17)"
JAR25 = "java -jar (JDK 25)"
SINGLE17 = "single file JDK 17 (AppCDS)"
SINGLE25 = "single file JDK 25 (AOT cache)"
SINGLE25_OFF = "single file JDK 25, AOT cache off"
RAW_JLINK = "raw jlink (JDK 17)"
COLD = "slipway build --no-cache --no-compile (JDK 17)"
WARM17 = "warm: one class changed, slipway build (JDK 17)"
WARM17_NC = "warm: slipway build --no-compile (JDK 17)"
WARM25 = "warm: one class changed, slipway build (JDK 25, retrains)"
MAVEN17 = "warm: one class changed, the build command alone (JDK 17)"
UNCHANGED17 = "unchanged: slipway build (JDK 17, build command skipped)"
UNCHANGED25 = "unchanged: slipway build (JDK 25, build command skipped)"
FIRST17 = "JDK 17 single file version, empty cache (unpacks, checks AppCDS)"
WARMRUN17 = "JDK 17 single file version, warm cache"
FIRST25 = "JDK 25 single file version, empty cache (unpacks)"
WARMRUN25 = "JDK 25 single file version, warm cache"
SPRING_JAR = "Spring Boot: java -jar (JDK 17)"
SPRING_WARM = "Spring Boot: single file, warm cache"
SPRING_FIRST = "Spring Boot: single file, empty cache (first run)"


def medians(path):
    with open(path) as f:
        return {v["name"]: v["median_ms"] for v in json.load(f)["variants"]}


def verdict(ok):
    return "yes" if ok else "**NO: not met**"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[-1])
    out = sys.argv[1]
    ttr = medians(os.path.join(out, "time-to-ready.json"))
    cold = medians(os.path.join(out, "build-cold.json"))
    warm = medians(os.path.join(out, "build-warm.json"))
    first = medians(os.path.join(out, "first-run.json"))
    unchanged = medians(os.path.join(out, "build-unchanged.json"))
    sizes = {}
    spring_status = None
    with open(os.path.join(out, "sizes.tsv")) as f:
        for line in f:
            key, value = line.rstrip("\n").split("\t", 1)
            if key == "spring_status":
                spring_status = value
            else:
                sizes[key] = int(value)
    spring_ttr_path = os.path.join(out, "spring-time-to-ready.json")
    spring_ttr = medians(spring_ttr_path) if os.path.exists(spring_ttr_path) else None

    rows = []

    def ratio(label, a, b, table, limit):
        r = table[a] / table[b]
        rows.append((label, f"{r:.2f}× ({table[a]:.0f} ms ÷ {table[b]:.0f} ms)", f"≤ {limit:g}×",
                     verdict(r <= limit)))

    ratio(f"Time to ready: {SINGLE25} ÷ {JAR25}", SINGLE25, JAR25, ttr, 0.35)
    ratio(f"Time to ready: {SINGLE17} ÷ {JAR17}", SINGLE17, JAR17, ttr, 0.40)
    ratio(f"Time to ready: {SINGLE25} ÷ {GO}", SINGLE25, GO, ttr, 10)
    ratio(f"Time to ready: {SINGLE17} ÷ {GO}", SINGLE17, GO, ttr, 10)
    for key, label in (("single17", "Size: single file, JDK 17"), ("single25", "Size: single file, JDK 25 (with AOT cache)")):
        b = sizes[key]
        rows.append((label, f"{b / 1e6:.1f} MB ({b} bytes)", "≤ 30 MB", verdict(b <= 30_000_000)))
    if "release25" in sizes:
        b = sizes["release25"]
        rows.append(("Size: single file, JDK 25, slipway release (level-19 frames)", f"{b / 1e6:.1f} MB ({b} bytes)",
                     "≤ 30 MB", verdict(b <= 30_000_000)))
    ratio(f"Build, cold: {COLD} ÷ {RAW_JLINK}", COLD, RAW_JLINK, cold, 1.3)
    ratio(f"First run ÷ warm run: {FIRST17}", FIRST17, WARMRUN17, first, 2)
    ratio(f"First run ÷ warm run: {FIRST25}", FIRST25, WARMRUN25, first, 2)
    own = (warm[WARM17] - warm[MAVEN17]) / 1000
    rows.append((f"Build, one class changed: {WARM17} − {MAVEN17}", f"{own:.1f} s ({warm[WARM17] / 1000:.1f} s − "
                 f"{warm[MAVEN17] / 1000:.1f} s)", "≤ 2 s", verdict(own <= 2)))
    for name in (UNCHANGED17, UNCHANGED25):
        s = unchanged[name] / 1000
        rows.append((f"Build, {name}", f"{s:.1f} s", "≤ 3 s (no build command, no training)", verdict(s <= 3)))
    # The Spring Boot workload (compat/spring-mvc): a missing figure is a goal not shown to be met.
    if "spring_single" in sizes:
        r = sizes["spring_single"] / sizes["spring_jar"]
        rows.append(("Size: Spring Boot single file ÷ its fat jar",
                     f"{r:.2f}× ({sizes['spring_single'] / 1e6:.1f} MB ÷ {sizes['spring_jar'] / 1e6:.1f} MB)",
                     "≤ 1.0×", verdict(r <= 1.0)))
    else:
        rows.append(("Size: Spring Boot single file ÷ its fat jar", spring_status or "not measured", "≤ 1.0×",
                     verdict(False)))
    if spring_ttr is not None:
        rows.append((f"Time to ready: {SPRING_WARM} ÷ {SPRING_JAR}",
                     f"{spring_ttr[SPRING_WARM] / spring_ttr[SPRING_JAR]:.2f}× ({spring_ttr[SPRING_WARM]:.0f} ms ÷ "
                     f"{spring_ttr[SPRING_JAR]:.0f} ms)", "—", "—"))
        rows.append((f"Time to ready: {SPRING_FIRST} ÷ {SPRING_WARM}",
                     f"{spring_ttr[SPRING_FIRST] / spring_ttr[SPRING_WARM]:.2f}× ({spring_ttr[SPRING_FIRST]:.0f} ms ÷ "
                     f"{spring_ttr[SPRING_WARM]:.0f} ms)", "—", "—"))
    else:
        rows.append(("Time to ready: Spring Boot single file ÷ java -jar", spring_status or "not measured", "—", "—"))
    for name in (WARM25, WARM17_NC):
        s = warm[name] / 1000
        rows.append((f"Build, {name} (for comparison)", f"{s:.1f} s", "—", "—"))

    print("| Figure | Measured (medians) | Goal | Met |")
    print("|---|---:|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    missed = sum(1 for r in rows if r[3] not in ("yes", "—"))
    print()
    goals = sum(1 for r in rows if r[3] != "—")
    print(f"{goals - missed} of {goals} goals met." if missed else f"All {goals} goals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
