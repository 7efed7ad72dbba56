"""Prints the floor bench's tables from its results file (one measurement a line, see deploy/bench/floor)."""
import statistics
import sys
from collections import defaultdict

rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
maxes = defaultdict(dict)  # (kind, label) -> run -> rate
procs = defaultdict(lambda: defaultdict(dict))  # (kind, label, proc) -> run -> (cpu, ctx, sys, cores)
alloc = {}
records = defaultdict(dict)  # label -> run -> records per producer request over the open-loop run
latency = defaultdict(dict)  # (kind, label) -> run -> (p50, p99) ms
for r in rows:
    if r[1] == "max":
        maxes[(r[0], r[2])][r[3]] = float(r[4])
    elif r[1] == "proc":
        procs[(r[0], r[2], r[4])][r[3]] = tuple(float(x) for x in r[5:9])
    elif r[1] == "alloc":
        alloc[r[3]] = float(r[4])
    elif r[1] == "records":
        records[r[2]][r[3]] = float(r[4])
    elif r[1] == "latency":
        latency[(r[0], r[2])][r[3]] = (float(r[4]), float(r[5]))


def spread(values, fmt="%.2f"):
    if not values:
        return "-"
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(values), min(values), max(values))


def ratios(a, b):
    return [a[run] / b[run] for run in a if run in b and b[run]]


def cpu(kind, label, proc):
    return {run: v[0] for run, v in procs.get((kind, label, proc), {}).items()}


has_get = any(kind == "get" for (kind, label) in maxes)
gateways = [label for (kind, label) in maxes if kind == "get" and label not in ("direct", "nginx", "bare")]
posters = [label for (kind, label) in maxes if kind == "post" and not label.startswith("direct")]
print()
print("%-66s %6s  %s" % ("ratio (median [min-max] over runs; each run's pair in one sitting)", "bar", "now"))
for g in gateways if has_get else []:
    tag = "" if g == "gateway" else " (%s)" % g
    print("%-66s %6s  %s" % ("GET /users/me req/s: gateway%s / straight to user-service" % tag, ">= 0.5",
                              spread(ratios(maxes[("get", g)], maxes[("get", "direct")]))))
    print("%-66s %6s  %s" % ("GET /users/me req/s: gateway%s / nginx" % tag, ">= 0.8",
                              spread(ratios(maxes[("get", g)], maxes[("get", "nginx")]))))
    print("%-66s %6s  %s" % ("CPU per proxied GET: gateway%s / bare Reactor Netty proxy" % tag, "<= 3",
                              spread(ratios(cpu("get", g, g), cpu("get", "bare", "bare")))))
for g in gateways if has_get else []:
    if g != "gateway" and ("get", "gateway") in maxes:  # a lever's after ÷ before, in the same sitting
        print("%-66s %6s  %s" % ("GET /users/me req/s: gateway (%s) / the stack's gateway" % g, "",
                                  spread(ratios(maxes[("get", g)], maxes[("get", "gateway")]))))
        print("%-66s %6s  %s" % ("CPU per proxied GET: gateway (%s) / the stack's gateway" % g, "",
                                  spread(ratios(cpu("get", g, g), cpu("get", "gateway", "gateway")))))
for g in posters:
    tag = "" if g == "gateway" else " (%s)" % g
    print("%-66s %6s  %s" % ("acknowledged danmaku POST/s: gateway%s / straight" % tag, ">= 0.5",
                              spread(ratios(maxes[("post", g)], maxes[("post", "direct")]))))
for (kind, label) in maxes:
    if kind == "post" and label.startswith("direct-"):
        print("%-66s %6s  %s" % ("acknowledged danmaku POST/s straight: %s / the stack's" % label[7:], "",
                                  spread(ratios(maxes[("post", label)], maxes[("post", "direct")]))))
if has_get:
    print("%-66s %6s  %s" % ("GET /users/me req/s: nginx / straight (the peer's own cost)", "",
                              spread(ratios(maxes[("get", "nginx")], maxes[("get", "direct")]))))
    print("%-66s %6s  %s" % ("GET /users/me req/s: bare Reactor Netty proxy / straight", "",
                              spread(ratios(maxes[("get", "bare")], maxes[("get", "direct")]))))
    print("%-66s %6s  %s" % ("GET /users/me req/s: bare Reactor Netty proxy / nginx", "",
                              spread(ratios(maxes[("get", "bare")], maxes[("get", "nginx")]))))

print()
print("maximum rates (wrk, closed loop), median [min-max]")
for (kind, label), runs in maxes.items():
    print("  %-8s %-16s %s /s" % (kind, label, spread(list(runs.values()), "%.0f")))

print()
print("at the fixed offered rate (open loop), per answered request, median [min-max]")
print("  %-5s %-12s %-16s %-26s %-24s %-26s %s" % ("", "via", "process", "CPU ms", "context switches", "syscalls", "cores busy"))
for (kind, label, proc), runs in procs.items():
    v = list(runs.values())
    print("  %-5s %-12s %-16s %-26s %-24s %-26s %s" % (
        kind, label, proc,
        spread([x[0] for x in v], "%.3f"), spread([x[1] for x in v]), spread([x[2] for x in v]),
        spread([x[3] for x in v])))
if alloc:
    print("  gateway allocated bytes per GET (jvm_gc_memory_allocated_bytes_total): %s" % spread(list(alloc.values()), "%.0f"))
if latency:
    print()
    print("latency at the fixed offered rate (from due time), median [min-max] over runs")
    for (kind, label), runs in latency.items():
        v = list(runs.values())
        print("  %-5s %-16s p50 %-24s ms  p99 %s ms" % (kind, label, spread([x[0] for x in v], "%.1f"),
                                                        spread([x[1] for x in v], "%.1f")))
for label, runs in records.items():
    print("  danmaku via %-12s Kafka producer records per request (record-send-total / request-total over the run): %s"
          % (label, spread(list(runs.values()))))
