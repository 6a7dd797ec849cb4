#!/usr/bin/env python3
"""Where ssm-shell's memory goes, per mapping (issue 17): /proc/PID/smaps of an idle shell session
(`connect web-1`, one second after the prompt, as scripts/bench_plugin.py samples it) and of a forward
at its largest private memory while it uploads and downloads. Each mapping is put in one kind (the
binary's code, its read-only data, its writable data, the heap, malloc's arenas, thread stacks, other
anonymous memory, each shared library) with its RSS and private memory (Private_Clean + Private_Dirty).

    scripts/memory_map.py --binary BIN [--binary BIN2 ...] [--runs N] [--forward] [--json FILE]

Several binaries are measured alternating, each run against the same emulator; the medians are shown.
"""
import argparse
import json
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Sink, SinkHandler, environment, rss_of, start_emulator  # noqa: E402
from bench_clients import SsmShellClient  # noqa: E402
from bench_plugin import NODE_NAME, download, upload  # noqa: E402

HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")
ARENA_RESERVE = 64 << 20  # glibc reserves each non-main arena's heap as 64 MiB (HEAP_MAX_SIZE on 64-bit)


def mappings(pid):
    """The mappings of PID: dicts with start, end, perms, path and the kB fields of smaps."""
    out = []
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            header = HEADER.match(line)
            if header:
                out.append({"start": int(header.group(1), 16), "end": int(header.group(2), 16),
                            "perms": header.group(3), "path": header.group(4).strip()})
            elif ":" in line and out:
                key, _, value = line.partition(":")
                fields = value.split()
                if fields and fields[-1] == "kB":
                    out[-1][key] = int(fields[0])
    return out


def kind_of(maps, index, binary):
    """The kind of mapping INDEX: arenas and stacks are told apart by their neighbours."""
    m = maps[index]
    path, perms = m["path"], m["perms"]
    if path and os.path.realpath(path) == os.path.realpath(binary):
        return {"r-xp": "binary code", "r--p": "binary read-only data"}.get(perms, "binary writable data")
    if path == "[heap]":
        return "heap (main arena)"
    if path == "[stack]":
        return "main thread stack"
    if path.startswith("["):
        return "kernel " + path
    if path:
        return "lib " + os.path.basename(path).split(".so")[0]
    if perms.startswith("---"):
        return "reserved (no access)"
    before = maps[index - 1] if index > 0 else None
    # A thread's stack: a guard page (no access) just below it (glibc allocate_stack).
    if before and before["end"] == m["start"] and before["perms"].startswith("---") and not before["path"] \
            and before["end"] - before["start"] <= 64 << 10:
        return "thread stacks"
    # A malloc arena's heap: glibc maps it aligned to its 64 MiB reservation (arena.c, new_heap).
    if m["start"] % ARENA_RESERVE == 0:
        return "malloc arenas"
    return "other anonymous"


def others_mapping(pid, library="libgnutls"):
    """How many other processes map LIBRARY now: a library's pages are private only while no other
    process maps them, so libcurl's tree (gnutls, krb5, ldap...) is private on a quiet machine and
    shared while, say, swift-build (which links libcurl) runs."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != pid:
            try:
                with open("/proc/%s/maps" % entry) as f:
                    count += any(library in line for line in f)
            except OSError:
                pass
    return count


def profile(pid, binary):
    """RSS and private kB per kind, the thread count, and how many others map libcurl's gnutls."""
    maps = mappings(pid)
    kinds = {}
    for i, m in enumerate(maps):
        k = kinds.setdefault(kind_of(maps, i, binary), {"rss": 0, "private": 0, "count": 0})
        k["rss"] += m.get("Rss", 0)
        k["private"] += m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)
        k["count"] += 1
    threads = len(os.listdir("/proc/%d/task" % pid))
    return {"kinds": kinds, "threads": threads, "hwm_MB": rss_of(pid), "others_mapping_gnutls": others_mapping(pid)}


def private_kb(pid):
    total = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def idle_sample(binary, info, extra_env):
    import pexpect
    env = dict(environment(info), **extra_env)
    env["TERM"] = "xterm"
    client = SsmShellClient(binary, NODE_NAME)
    program, argv = client.shell_argv()
    child = pexpect.spawn(program, argv, env=env, timeout=20)
    try:
        child.expect(rb"\$ ")
        child.send(b"echo ready\r")
        child.expect(rb"ready\r*\n[^\n]*\$ ")
        time.sleep(1.0)  # as scripts/bench_plugin.py: the prompt, then one idle second
        sample = profile(child.pid, binary)
        child.send(b"exit\r")
        child.expect(pexpect.EOF)
        return sample
    finally:
        child.close(force=True)


def forward_sample(binary, info, extra_env, up_mib=2, down_mib=16):
    """The profile taken when the forward's private memory was largest (sampled every 100 ms)."""
    server = Sink(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    forward = SsmShellClient(binary, NODE_NAME).open_forward(dict(environment(info), **extra_env), server.server_address[1], 30)
    pid = forward.measured_pid
    best = {"private": -1, "sample": None}
    phase = {"name": "upload", "peak": {"upload": 0, "download": 0}}
    done = threading.Event()

    def watch():
        while not done.wait(0.1):
            try:
                now = private_kb(pid)
                phase["peak"][phase["name"]] = max(phase["peak"][phase["name"]], now)
                if now > best["private"]:
                    best["private"], best["sample"] = now, profile(pid, binary)
            except (OSError, ValueError):
                return
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        upload(forward.local_port, up_mib)
        phase["name"] = "download"
        download(forward.local_port, down_mib)
    finally:
        done.set()
        watcher.join()
        best["sample"]["hwm_MB"] = rss_of(pid)
        best["sample"]["peak_private_MB_by_phase"] = {k: round(v / 1024, 2) for k, v in phase["peak"].items()}
        forward.stop()
        server.shutdown()
        server.server_close()
    return best["sample"]


def medians(samples):
    kinds = sorted({k for s in samples for k in s["kinds"]})
    table = {}
    for k in kinds:
        table[k] = {f: statistics.median(s["kinds"].get(k, {}).get(f, 0) for s in samples) for f in ("rss", "private", "count")}
    total = {f: statistics.median(sum(v[f] for v in s["kinds"].values()) for s in samples) for f in ("rss", "private")}
    return {"kinds": table, "total": total, "threads": statistics.median(s["threads"] for s in samples),
            "hwm_MB": statistics.median(s["hwm_MB"] for s in samples),
            "private_each_MB": [round(sum(v["private"] for v in s["kinds"].values()) / 1024, 2) for s in samples]}


def show(name, what, m):
    print("\n## %s, %s: VmHWM %.2f MB, %s threads, private per run %s MB" % (name, what, m["hwm_MB"], m["threads"], m["private_each_MB"]))
    print("%-34s %9s %9s %5s" % ("kind", "RSS MB", "priv MB", "maps"))
    rows = sorted(m["kinds"].items(), key=lambda kv: -kv[1]["rss"])
    for k, v in rows:
        if v["rss"] or v["private"]:
            print("%-34s %9.2f %9.2f %5d" % (k, v["rss"] / 1024, v["private"] / 1024, v["count"]))
    print("%-34s %9.2f %9.2f" % ("total", m["total"]["rss"] / 1024, m["total"]["private"] / 1024))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="an ssm-shell release binary (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--forward", action="store_true", help="also a forward under load (2 MiB up, 16 MiB down)")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="set in ssm-shell's environment (MALLOC_ARENA_MAX=2, GLIBC_TUNABLES=...)")
    args = parser.parse_args()
    extra_env = dict(e.split("=", 1) for e in args.env)
    process, info = start_emulator(extra=("--unpaced", "--unsigned-upgrades"))
    results = {b: {"idle": [], "forward": []} for b in args.binary}
    try:
        for _ in range(args.runs):
            for b in args.binary:
                results[b]["idle"].append(idle_sample(b, info, extra_env))
                if args.forward:
                    results[b]["forward"].append(forward_sample(b, info, extra_env))
    finally:
        process.terminate()
        process.wait()
    print("load average %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    summary = {}
    for b in args.binary:
        summary[b] = {w: medians(results[b][w]) for w in ("idle", "forward") if results[b][w]}
        for w, m in summary[b].items():
            show(b, w, m)
            for s in results[b][w]:
                print("  one run (%d others map libgnutls%s): " % (s["others_mapping_gnutls"], "; peak private by phase %s" % s["peak_private_MB_by_phase"] if "peak_private_MB_by_phase" in s else "") + ", ".join("%s %.2f" % (k, v["private"] / 1024) for k, v in sorted(s["kinds"].items()) if v["private"] >= 100))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"raw": results, "medians": summary}, f, indent=1)


if __name__ == "__main__":
    main()
