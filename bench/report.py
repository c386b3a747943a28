#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into bench/results/latest.md (the
table and the issue's targets) and latest.dat (the ratios, for ratios.gp).

    report.py RAWDIR OUTDIR

RAWDIR holds configs.txt (the configurations, in column order), host.txt,
net-na.txt (why there is no test host, when there is none), and one
directory per configuration: na.txt when it could not run; micro.N.txt and
net.N.txt (`name value unit` lines of bench/micro/micro and net), start.txt
(bench/tools/spawntime), rusage.N.txt (sentry --rusage-file) and
net-na.txt (runsc: why its network figures are loopback only).
"""
import os
import statistics
import sys

# (key, label, unit, lower_is_better, in_chart)
FIGURES = [
    ("getpid", "getpid round trip (raw syscall)", "us", True, True),
    ("clock_gettime", "clock_gettime (vDSO)", "us", True, True),
    ("open_close", "open+close /etc/passwd", "us", True, True),
    ("stat", "stat /etc/passwd", "us", True, True),
    ("pread_4k", "pread 4 KiB (rootfs file)", "us", True, True),
    ("write_devnull_4k", "write 4 KiB to /dev/null", "us", True, True),
    ("mmap_touch_munmap_64k", "mmap+touch+munmap 64 KiB", "us", True, True),
    ("seqread_tmp_64m", "sequential read, 64 MiB file in /tmp", "MB/s", False, True),
    ("seqread_rootfs_64m", "sequential read, 64 MiB file on the rootfs", "MB/s", False, True),
    ("pipe_pingpong", "pipe ping-pong, 2 processes (round trip)", "us", True, True),
    ("fork_exit_wait", "fork+exit+wait", "us", True, True),
    ("fork_exec_wait", "fork+execve(/bin/true)+wait", "us", True, True),
    ("thread_create_join", "thread create+join", "us", True, True),
    ("futex_pingpong", "futex ping-pong, 2 threads (round trip)", "us", True, True),
    ("all_gone_ms", "start+exit of /bin/true (until every process is gone)", "ms", True, True),
    ("return_ms", "start+exit of /bin/true (until the runtime returns)", "ms", True, False),
    ("sentry_peak_rss_kib", "peak RSS of the sentry, /bin/true", "KiB", True, False),
    ("gofer_peak_rss_kib", "peak RSS of the gofer, /bin/true", "KiB", True, False),
    ("max_rss_kib", "peak RSS of the largest process of a /bin/true run", "KiB", True, False),
]
# The network benchmark (bench/micro/net.c): a table of its own.
NET_FIGURES = [
    ("tcp_stream_lo", "TCP stream over loopback, 64 KiB writes", "Mbit/s", False, True),
    ("tcp_rr_lo", "TCP request/response over loopback, 1 byte (round trip)", "us", True, True),
    ("tcp_stream_tx", "TCP stream to the test host, 64 KiB writes", "Mbit/s", False, True),
    ("tcp_stream_rx", "TCP stream from the test host, 64 KiB reads", "Mbit/s", False, True),
    ("tcp_rr", "TCP request/response with the test host, 1 byte (round trip)", "us", True, True),
]
ALL_FIGURES = FIGURES + NET_FIGURES
NO_RATIO = {"sentry_peak_rss_kib", "gofer_peak_rss_kib", "max_rss_kib"}
LABELS = {
    "native": "native",
    "ptrace": "sentry ptrace",
    "systrap": "sentry systrap",
    "systrap-nopatch": "sentry systrap --no-patch",
    "runsc": "runsc ptrace",
}
COLORS = {  # the same bar colour for a configuration in every chart
    "ptrace": "#d95f02",
    "systrap": "#1b9e77",
    "systrap-nopatch": "#7570b3",
    "runsc": "#666666",
}
SHORT = {  # x labels of the chart (no spaces: ratios.gp counts columns)
    "getpid": "getpid", "clock_gettime": "clock_gettime", "open_close": "open+close",
    "stat": "stat", "pread_4k": "pread_4K", "write_devnull_4k": "write_4K_null",
    "mmap_touch_munmap_64k": "mmap_64K", "seqread_tmp_64m": "read_/tmp",
    "seqread_rootfs_64m": "read_rootfs", "pipe_pingpong": "pipe_pingpong",
    "fork_exit_wait": "fork+exit", "fork_exec_wait": "fork+exec",
    "thread_create_join": "thread", "futex_pingpong": "futex_pingpong",
    "all_gone_ms": "start_/bin/true",
    "tcp_stream_lo": "tcp_stream_lo", "tcp_rr_lo": "tcp_rr_lo", "tcp_stream_tx": "tcp_stream_tx",
    "tcp_stream_rx": "tcp_stream_rx", "tcp_rr": "tcp_rr_remote",
}


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def read_pairs(path):
    """name -> float from `name value unit` lines; {} if the file is missing."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    try:
                        out[parts[0]] = float(parts[1])
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def collect(rawdir, config):
    """(figure -> median over the runs, figure -> all the runs' values) of one
    configuration."""
    d = os.path.join(rawdir, config)
    samples = {}
    for name in sorted(os.listdir(d)):
        if name.split(".")[0] in ("micro", "net", "rusage") and name.endswith(".txt"):
            for k, v in read_pairs(os.path.join(d, name)).items():
                samples.setdefault(k, []).append(v)
    medians = {k: statistics.median(v) for k, v in samples.items() if v}
    medians.update(read_pairs(os.path.join(d, "start.txt")))
    return medians, samples


def ratio(fig, native, value):
    """Bigger is always worse: time / native time, native MB/s / MB/s."""
    key, _, _, lower, _ = fig
    if key in NO_RATIO or native is None or value is None or native <= 0 or value <= 0:
        return None
    return value / native if lower else native / value


def fmt_value(unit, v):
    if v is None:
        return "n/a"
    if unit == "KiB":
        return "%d" % round(v)
    if unit in ("MB/s", "Mbit/s"):
        return "%.0f" % v
    return "%.3f" % v


def fmt_ratio(r):
    if r is None:
        return "—"
    return "%.2fx" % r if r < 10 else "%.0fx" % r if r >= 100 else "%.1fx" % r


class Results:
    def __init__(self, rawdir):
        with open(os.path.join(rawdir, "configs.txt")) as f:
            self.configs = [c.strip() for c in f if c.strip()]
        self.na = {}
        self.values = {}
        self.samples = {}
        for c in self.configs:
            napath = os.path.join(rawdir, c, "na.txt")
            if os.path.exists(napath):
                with open(napath) as f:
                    self.na[c] = f.read().strip() or "failed"
                self.values[c], self.samples[c] = {}, {}
            else:
                self.values[c], self.samples[c] = collect(rawdir, c)
        self.host = (read_text(os.path.join(rawdir, "host.txt")) or "").splitlines()
        self.net_na = read_text(os.path.join(rawdir, "net-na.txt"))
        self.runsc_net_na = read_text(os.path.join(rawdir, "runsc", "net-na.txt"))
        floor = {}
        for name in sorted(os.listdir(rawdir)):
            if name.startswith("floor.") and name.endswith(".txt"):
                for k, v in read_pairs(os.path.join(rawdir, name)).items():
                    floor.setdefault(k, []).append(v)
        self.floor = {k: statistics.median(v) for k, v in floor.items()}

    def get(self, config, key):
        return self.values.get(config, {}).get(key)

    def ratio_of(self, config, key):
        fig = next(f for f in ALL_FIGURES if f[0] == key)
        return ratio(fig, self.get("native", key), self.get(config, key))

    def has_any(self, figures):
        return any(self.get(c, f[0]) is not None for c in self.configs for f in figures)

    def others(self):
        return [c for c in self.configs if c != "native"]


def table(res, figures):
    head = ["figure", "unit", "native"]
    for c in res.others():
        head += [LABELS.get(c, c), "×"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|"]
    for fig in figures:
        key, label, unit, _, _ = fig
        row = [label, unit, fmt_value(unit, res.get("native", key))]
        for c in res.others():
            row.append(fmt_value(unit, res.get(c, key)))
            row.append(fmt_ratio(res.ratio_of(c, key)))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def spread_table(res):
    """max/min of the runs of each microbenchmark: how far a median can be trusted."""
    cols = [c for c in res.configs if c not in res.na]
    lines = ["| figure | " + " | ".join(LABELS.get(c, c) for c in cols) + " |",
             "|---|" + "|".join(["---:"] * len(cols)) + "|"]
    for key, label, _, _, _ in ALL_FIGURES:
        cells = []
        for c in cols:
            v = res.samples[c].get(key, [])
            cells.append("%.1f" % (max(v) / min(v)) if len(v) > 1 and min(v) > 0 else "—")
        if any(x != "—" for x in cells):
            lines.append("| %s | %s |" % (label, " | ".join(cells)))
    return lines


def check(ok, text):
    return "- [%s] %s" % ("x" if ok else " ", text)


def target_ratio(res, config, key, limit, what):
    """A `ratio <= limit` target on one configuration, with the others for reference."""
    r = res.ratio_of(config, key)
    if config in res.na or r is None:
        status = "not measured (%s: %s)" % (LABELS.get(config, config), res.na.get(config, "no value"))
        ok = False
    else:
        ok = r <= limit
        status = "%s %s: %s" % (LABELS.get(config, config), fmt_ratio(r),
                                "met" if ok else "missed by %.1fx (%s vs at most %gx)"
                                % (r / limit, fmt_ratio(r), limit))
    ref = ["%s %s" % (LABELS.get(c, c), fmt_ratio(res.ratio_of(c, key)))
           for c in res.others() if c != config and res.ratio_of(c, key) is not None]
    return check(ok, "%s: %s%s" % (what, status, ("; for reference: " + ", ".join(ref)) if ref else ""))


def target_throughput(res, config, key, what):
    """Throughput at least 0.8x native, i.e. a ratio (native/config) of at most 1.25."""
    nat, v = res.get("native", key), res.get(config, key)
    ref = ["%s %.2fx" % (LABELS.get(c, c), res.get(c, key) / nat)
           for c in res.others() if c != config and nat and res.get(c, key)]
    if config in res.na or not nat or not v:
        return check(False, "%s: not measured (%s: %s)%s" % (
            what, LABELS.get(config, config), res.na.get(config, "no value"),
            ("; for reference: " + ", ".join(ref)) if ref else ""))
    frac = v / nat
    ok = frac >= 0.8
    return check(ok, "%s: %s %.2fx native%s%s" % (
        what, LABELS.get(config, config), frac,
        "" if ok else ", missed by %.1fx (target at least 0.8x)" % (0.8 / frac),
        ("; for reference: " + ", ".join(ref)) if ref else ""))


def target_startup(res, sentry_configs):
    runsc = res.get("runsc", "all_gone_ms")
    out = []
    for c in sentry_configs:
        v = res.get(c, "all_gone_ms")
        what = "start+exit of /bin/true at most 1/10 of runsc's time, %s" % LABELS.get(c, c)
        if v is None or runsc is None:
            why = res.na.get(c) or res.na.get("runsc") or "no value"
            out.append(check(False, "%s: not measured (%s)" % (what, why)))
            continue
        frac = v / runsc
        ok = frac <= 0.1
        out.append(check(ok, "%s: %.3f ms vs %.3f ms = 1/%.0f of runsc%s" % (
            what, v, runsc, 1 / frac, "" if ok else ", missed by %.1fx" % (frac / 0.1))))
    return out


def target_rss(res, sentry_configs):
    out = []
    for c in sentry_configs:
        v = res.get(c, "sentry_peak_rss_kib")
        what = "peak RSS of the sentry for /bin/true under 8 MiB, %s" % LABELS.get(c, c)
        if v is None:
            out.append(check(False, "%s: not measured (%s)" % (what, res.na.get(c, "no value"))))
            continue
        ok = v < 8192
        out.append(check(ok, "%s: %.1f MiB%s" % (
            what, v / 1024, "" if ok else ", missed by %.1f MiB" % ((v - 8192) / 1024))))
    return out


def floor_note(res):
    """What the unpatched path cannot go below (bench/tools/sigsys_floor.c)."""
    f = res.floor
    nat, sig, alt, direct, hand = (f.get(k) for k in (
        "getpid_native", "getpid_sigsys", "getpid_sigsys_altstack", "getpid_sigsys_direct",
        "handoff_roundtrip"))
    if not (nat and sig and alt and hand):
        return []
    line = ("  - the floor under it (bench/tools/sigsys_floor, natively, no sandbox): a getpid "
            "that a seccomp filter traps and a SIGSYS handler in the same thread answers takes "
            "%.3f us = %s its %.3f us (%.3f us = %s on a sigaltstack with every signal blocked)"
            % (sig, fmt_ratio(sig / nat), nat, alt, fmt_ratio(alt / nat)))
    if direct:
        line += ("; %.3f us = %s when the handler leaves its frame without rt_sigreturn, as "
                 "the stub serves a trapped syscall; handing a turn to another CPU and back "
                 "%.3f us: %.3f us = %s before the stub or the sentry do anything"
                 % (direct, fmt_ratio(direct / nat), hand, direct + hand,
                    fmt_ratio((direct + hand) / nat)))
    else:
        line += ("; handing a turn to another CPU and back %.3f us: %.3f us = %s before the "
                 "stub or the sentry do anything"
                 % (hand, alt + hand, fmt_ratio((alt + hand) / nat)))
    return [line]


def targets(res):
    main = "systrap"   # the product's platform: patching on
    sentry = [c for c in res.others() if c != "runsc"]
    lines = [
        target_ratio(res, "systrap", "getpid", 4, "getpid, systrap with patching, at most 4x native"),
        target_ratio(res, "systrap-nopatch", "getpid", 12, "getpid, systrap without patching, at most 12x native"),
    ]
    lines += floor_note(res)
    lines += target_startup(res, sentry)
    lines += target_rss(res, sentry)
    lines += [
        target_throughput(res, main, "seqread_tmp_64m", "sequential read (/tmp) at least 0.8x native"),
        target_throughput(res, main, "seqread_rootfs_64m", "sequential read (rootfs) at least 0.8x native"),
        target_ratio(res, main, "open_close", 15, "open+close at most 15x native"),
        target_ratio(res, main, "stat", 15, "stat at most 15x native"),
        target_ratio(res, main, "fork_exec_wait", 4, "fork+exec+wait at most 4x native"),
    ]
    return lines


def net_targets(res):
    """Issue 5: throughput from the sandbox to a test host at least runsc's and
    at least 1 Gbit/s (systrap, the product's platform)."""
    key, main = "tcp_stream_tx", "systrap"
    v, runsc, nat = res.get(main, key), res.get("runsc", key), res.get("native", key)
    label = LABELS[main]
    ref = ", ".join("%s %.0f Mbit/s" % (LABELS.get(c, c), res.get(c, key))
                    for c in res.configs if c not in (main, "runsc") and res.get(c, key))
    ref = "; for reference: " + ref if ref else ""
    if v is None:
        why = res.na.get(main) or res.net_na or "no value"
        return [check(False, "TCP stream to the test host: not measured (%s)" % why)]
    out = [check(v >= 1000, "TCP stream to the test host at least 1 Gbit/s: %s %.0f Mbit/s%s%s" % (
        label, v, "" if v >= 1000 else ", missed by %.1fx" % (1000 / v), ref))]
    if runsc is None:
        why = res.na.get("runsc") or res.runsc_net_na or "no value"
        out.append(check(False, "TCP stream to the test host at least runsc's: runsc not measured (%s)" % why))
    else:
        out.append(check(v >= runsc, "TCP stream to the test host at least runsc's: %s %.0f Mbit/s vs "
                         "runsc %.0f Mbit/s = %.2fx runsc%s" % (
                             label, v, runsc, v / runsc,
                             "" if v >= runsc else ", missed by %.1fx" % (runsc / v))))
    return out


def net_section(res):
    out = ["## Network", "",
           "bench/micro/net.c: one TCP connection per figure, default socket buffers. Streams",
           "run for a fixed time after a 4 MiB warm-up and end when the receiver has every byte",
           "(Mbit/s = 10^6 bits/s); request/response is one byte there and back, TCP_NODELAY",
           "(µs per round trip). Loopback: client and server (forked) inside one sandbox, on",
           "127.0.0.1. The test host is a network namespace behind a veth pair, made by",
           "bench/run.sh: natively the host's stack reaches it; the sentry (default network)",
           "through lwIP, the socketpair to its egress proxy, slirp and a host socket; runsc with",
           "`--network=sandbox` (gVisor's netstack) on a veth of its own namespace. One veth hop",
           "each, no NAT or forwarding on the host. The round trips, native ones included,",
           "depend on whether the two ends share a CPU (a wake-up across CPUs costs tens of µs",
           "on a small VM): read them with the spread table."]
    if res.net_na:
        out.append("")
        out.append("Test host: n/a (%s): remote figures not measured." % res.net_na)
    if res.runsc_net_na:
        out.append("")
        out.append("runsc: %s; its figures here are loopback only (`runsc --network=none do`)."
                   % res.runsc_net_na)
    out.append("")
    out += table(res, NET_FIGURES)
    out += ["", "### Targets (issue 5)", ""]
    out += net_targets(res)
    return out


def markdown(res):
    out = ["# Benchmark results", "", "Written by `make bench` (bench/run.sh, bench/report.py).", ""]
    out += ["- " + h for h in res.host]
    for c in res.configs:
        if c in res.na:
            out.append("- %s: n/a (%s)" % (LABELS.get(c, c), res.na[c]))
    out += ["", "Times are per operation (medians of the runs); the ratio column (×) after each",
            "configuration is its figure relative to native, arranged so that **bigger is always",
            "worse**: time / native time, and native MB/s / MB/s for throughput. MB = 10^6 bytes.",
            "The /tmp read measures each runtime's in-memory /tmp (the sentry's tmpfs); the rootfs",
            "read goes through the gofer. RSS figures: the sentry's and gofer's from",
            "`sentry run --rusage-file` (VmHWM); \"largest process\" is the biggest ru_maxrss of",
            "any process of the run (bench/tools/spawntime reaps them all as a subreaper).", ""]
    out += table(res, FIGURES)
    if res.has_any(NET_FIGURES):   # BENCH_NET=0: no section
        out += [""] + net_section(res)
    out += ["", "## Targets (issue 4)", "",
            "Evaluated on sentry systrap with patching, the product's platform; other",
            "configurations for reference.", ""]
    out += targets(res)
    out += ["", "## Run-to-run spread", "",
            "max/min over the runs of each figure (1.0 = identical runs). On a small shared",
            "machine the cross-process and cross-thread figures (pipe, futex, getpid under",
            "ptrace) depend on whether the two sides share a CPU; read their medians with that",
            "in mind.", ""]
    out += spread_table(res)
    out.append("")
    return "\n".join(out)


def chart_data(res):
    """latest.dat: a comment with the bar colours, a header line of configuration
    labels, then one row per figure."""
    cols = [c for c in res.others() if c not in res.na]
    out = ["# " + " ".join(COLORS.get(c, "#000000") for c in cols),
           "figure " + " ".join('"%s"' % LABELS.get(c, c) for c in cols)]
    for fig in ALL_FIGURES:
        if not fig[4]:
            continue
        vals = [res.ratio_of(c, fig[0]) for c in cols]
        if fig in NET_FIGURES and not any(vals):
            continue
        out.append(SHORT[fig[0]] + " " + " ".join("%.4f" % v if v else "NaN" for v in vals))
    return "\n".join(out) + "\n"


def main():
    rawdir, outdir = sys.argv[1], sys.argv[2]
    res = Results(rawdir)
    with open(os.path.join(outdir, "latest.md"), "w") as f:
        f.write(markdown(res))
    with open(os.path.join(outdir, "latest.dat"), "w") as f:
        f.write(chart_data(res))


if __name__ == "__main__":
    main()
