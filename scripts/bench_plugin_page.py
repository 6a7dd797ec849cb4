"""The side-by-side section of docs/benchmarks.md (issue 17): ssm-shell's column, the plugin's, their ratio
and each goal met or not, from the results of scripts/bench_plugin.py."""

SHELL, PLUGIN = "ssm-shell", "session-manager-plugin"
NOT_MEASURED = "not measured"
NO_GOAL = "no goal"  # measured and shown beside the plugin's, with nothing to meet (issue 17 sets none)


def page_lines(r, unreachable=None):
    """R: bench_plugin.measure's results; UNREACHABLE: scripts/bench's own dead-endpoint figures (every command)."""
    have_plugin = PLUGIN in r["clients"]
    rows = [row for row in Rows(r, have_plugin, unreachable).all()]
    lines = ["", "## Side by side with session-manager-plugin (issue 17)", ""]
    if have_plugin:
        lines.append("Both clients in one run against the same emulator (`--unpaced --unsigned-upgrades`), alternating, each figure "
                     "the median of %d samples: ssm-shell `%s` and `%s` driven by `%s ssm start-session` (the plugin's figures are "
                     "the session-manager-plugin process's, not the AWS CLI's). Forwards: %d MiB up, then %d MiB down through one "
                     "session; shell sessions: `connect web-1` / `start-session --target`, %d keystrokes each 30-70 ms after the last." % (
                         r["rounds"], r.get("binary", "ssm-shell"), r["versions"].get(PLUGIN, PLUGIN), r["versions"].get("aws", "aws"),
                         r["upload_MiB"], r["download_MiB"], r["keystrokes"]))
    else:
        lines.append("**session-manager-plugin was not found** (neither `--plugin`, `SSM_PLUGIN_BIN` nor PATH), so only ssm-shell's column "
                     "was measured and no goal that compares with the plugin is decided. Build the plugin from its public source with "
                     "`scripts/build-plugin SRC_TREE OUT_DIR` and run `scripts/bench --plugin OUT_DIR/session-manager-plugin`.")
    lines += ["", "| figure | goal (issue 17) | ssm-shell | session-manager-plugin | ratio | met |", "| --- | --- | --- | --- | --- | --- |"]
    for name, goal, ours, theirs, ratio, met in rows:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (name, goal, ours, theirs, ratio, {True: "yes", False: "**no**", None: NOT_MEASURED}.get(met, met)))
    s = r["stalls"]
    lines += ["", "Stalled or failed sessions: " + "; ".join("%s %d of %d" % (name, s[name]["count"], r["sessions"][name]) for name in r["clients"])
              + " (a transfer or session that made no progress for %d s is stopped, counted, and its sample taken again)." % r["stall_s"]]
    for name in r["clients"]:
        if s[name]["first"]:
            lines.append("- %s, first: %s" % (name, "; ".join("`%s`" % x.replace("|", "/") for x in s[name]["first"][:3])))
    return lines


class Rows:
    def __init__(self, r, have_plugin, unreachable):
        self.r = r
        self.have_plugin = have_plugin
        self.unreachable = unreachable or {}

    def figure(self, group, key, client):
        entry = self.r[group].get(client, {}).get("median", {})
        return entry.get(key)

    def pair(self, group, key):
        return self.figure(group, key, SHELL), (self.figure(group, key, PLUGIN) if self.have_plugin else None)

    def row(self, name, goal, group, key, fmt, better):
        """BETTER(ours, theirs) decides the goal; the ratio is ours/theirs."""
        ours, theirs = self.pair(group, key)
        shown = lambda v: NOT_MEASURED if v is None else fmt % v  # noqa: E731
        if ours is None or theirs is None or theirs == 0:
            return name, goal, shown(ours), shown(theirs), "", None
        ratio = ours / theirs
        ratio_text = ("1/%.1f" % (1 / ratio)) if 0 < ratio < 1 else "%.2fx" % ratio
        return name, goal, shown(ours), shown(theirs), ratio_text, better(ours, theirs)

    def all(self):
        yield self.row("forward download", "throughput ≥ the plugin's", "forward", "download_MBps", "%.1f MB/s", lambda a, b: a >= b)
        yield self.row("forward download: client CPU per MB", "≤ 1/4 of the plugin's", "forward", "cpu_s_per_MB_down", "%.4f s/MB",
                       lambda a, b: a * 4 <= b)
        yield self.row("forward upload", "≥ 20x the plugin's", "forward", "upload_MBps", "%.2f MB/s", lambda a, b: a >= 20 * b)
        yield self.row("forward upload: client CPU per MB", "(no goal)", "forward", "cpu_s_per_MB_up", "%.4f s/MB", lambda a, b: NO_GOAL)
        yield self.row("keystroke to echo, 30-70 ms pauses: median", "≤ the plugin's", "shell", "keystroke_median_ms", "%.2f ms",
                       lambda a, b: a <= b)
        yield self.row("keystroke to echo, 30-70 ms pauses: p99", "≤ the plugin's", "shell", "keystroke_p99_ms", "%.2f ms", lambda a, b: a <= b)
        yield self.row("idle shell session: peak RSS", "below the plugin's", "shell", "idle_peak_rss_MB", "%.1f MB", lambda a, b: a < b)
        yield self.row("idle shell session: private memory", "≤ 1/2 of the plugin's", "shell", "idle_private_MB", "%.1f MB",
                       lambda a, b: a * 2 <= b)
        yield self.row("forward under load: peak RSS", "below the plugin's", "forward", "peak_rss_MB_under_load", "%.1f MB", lambda a, b: a < b)
        yield self.row("forward under load: private memory", "≤ 1/2 of the plugin's", "forward", "private_MB_under_load", "%.1f MB",
                       lambda a, b: a * 2 <= b)
        yield self.dead_endpoint()
        yield self.startup()

    def dead_endpoint(self):
        d = self.r["dead_endpoint"]

        def secs(entry):
            return ("> %.0f s (stopped)" if entry["capped"] else "%.2f s") % entry["seconds"]
        ours = d[SHELL]
        others = {name: v for name, v in self.unreachable.items() if name.startswith("ssm-shell")}
        shown = "`connect` %s (median of %d)" % (secs(ours), len(ours.get("samples", [1]))) + "".join(
            "; `%s` %s" % (name[len("ssm-shell "):], secs(v)) for name, v in others.items())
        # Reported: a failure (non-zero status) within 3 s, not a quick exit 0 nor one for another reason's sake.
        met = all(not v["capped"] and v["seconds"] < 3 and v["status"] not in (0, None) for v in [ours, *others.values()])
        theirs = "`aws ssm start-session` %s" % secs(d[PLUGIN]) if PLUGIN in d else NOT_MEASURED
        return "an endpoint that never answers, reported", "every command < 3 s", shown, theirs, "", met

    def startup(self):
        s = self.r["startup"]
        ours, theirs = s["ssm-shell -c 'use'"]["median"], s["aws --version"]["median"]
        return ("start-up: `-c 'use'` vs `aws --version`", "≤ 1/20 of `aws --version`", "%.1f ms" % (ours * 1000),
                "%.1f ms (`aws --version`)" % (theirs * 1000), "1/%.0f" % (theirs / ours), ours * 20 <= theirs)
