package io.sandboxrun.cgroup;

import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * Limits to control-file writes, per cgroup version: a pure function, unit-tested without any
 * filesystem (runc's per-controller setX, youki's set_fixture). {@code null} fields write nothing;
 * {@code Long.MAX_VALUE} / {@code Integer.MAX_VALUE} mean "explicitly unlimited".
 */
public record LimitPlan(List<CgroupWrite> writes, List<Unenforced> unenforced) {
    /** The CFS period for --cpus: 100 ms, the kernel's default, so quota = cpus * 100000 µs. */
    static final long CPU_PERIOD_US = 100_000;

    public LimitPlan {
        writes = List.copyOf(writes);
        unenforced = List.copyOf(unenforced);
    }

    public static LimitPlan of(Limits l, boolean v2) {
        List<CgroupWrite> w = new ArrayList<>();
        List<Unenforced> u = new ArrayList<>();
        if (l.memory() != null) {
            if (v2) {
                w.add(CgroupWrite.of("memory", "memory", "memory.max", bytes(l.memory(), "max")));
                // No swap: a limit the app can double by swapping out is not a limit.
                w.add(CgroupWrite.optional("memory", "memory", "memory.swap.max", unlimited(l.memory()) ? "max" : "0"));
            } else {
                String v = bytes(l.memory(), "-1");
                // memsw must stay >= limit_in_bytes at every step: open it, set the limit, close it.
                w.add(CgroupWrite.optional("memory", "memory", "memory.memsw.limit_in_bytes", "-1"));
                w.add(CgroupWrite.of("memory", "memory", "memory.limit_in_bytes", v));
                w.add(CgroupWrite.optional("memory", "memory", "memory.memsw.limit_in_bytes", v));
            }
        }
        if (l.memoryHigh() != null) {
            if (v2) w.add(CgroupWrite.of("memory-high", "memory", "memory.high", bytes(l.memoryHigh(), "max")));
            else u.add(new Unenforced("memory-high", "cgroup v1 has no memory.high (its soft limit acts only under"
                    + " host-wide memory pressure); use memory for a hard limit"));
        }
        if (l.cpuMillis() != null) {
            boolean max = l.cpuMillis() == Integer.MAX_VALUE;
            long quota = l.cpuMillis() * CPU_PERIOD_US / 1000;
            if (v2) {
                w.add(CgroupWrite.of("cpus", "cpu", "cpu.max", (max ? "max" : Long.toString(quota)) + " " + CPU_PERIOD_US));
            } else {
                w.add(CgroupWrite.of("cpus", "cpu", "cpu.cfs_period_us", Long.toString(CPU_PERIOD_US)));
                w.add(CgroupWrite.of("cpus", "cpu", "cpu.cfs_quota_us", max ? "-1" : Long.toString(quota)));
            }
        }
        if (l.cpuWeight() != null) {
            if (v2) w.add(CgroupWrite.of("cpu-weight", "cpu", "cpu.weight", Integer.toString(l.cpuWeight())));
            else w.add(CgroupWrite.of("cpu-weight", "cpu", "cpu.shares", Long.toString(shares(l.cpuWeight()))));
        }
        if (l.pids() != null) {
            w.add(CgroupWrite.of("pids", "pids", "pids.max", unlimited(l.pids()) ? "max" : Long.toString(l.pids())));
        }
        if (l.io() != null) {
            for (IoLimit io : l.io()) {
                String dev = io.device();
                if (v2) {
                    StringBuilder b = new StringBuilder(dev);
                    append(b, "rbps", io.rbps());
                    append(b, "wbps", io.wbps());
                    append(b, "riops", io.riops());
                    append(b, "wiops", io.wiops());
                    w.add(CgroupWrite.of("io", "io", "io.max", b.toString()));
                } else {
                    v1Io(w, dev, "blkio.throttle.read_bps_device", io.rbps());
                    v1Io(w, dev, "blkio.throttle.write_bps_device", io.wbps());
                    v1Io(w, dev, "blkio.throttle.read_iops_device", io.riops());
                    v1Io(w, dev, "blkio.throttle.write_iops_device", io.wiops());
                }
            }
        }
        return new LimitPlan(w, u);
    }

    /**
     * v2 weight (1..10000, default 100) to v1 shares (2..262144, default 1024), proportionally,
     * so that the default weight gives the default shares.
     */
    static long shares(int weight) {
        return Math.max(2, Math.min(262144, weight * 1024L / 100));
    }

    private static boolean unlimited(long v) { return v == Long.MAX_VALUE; }

    private static String bytes(long v, String unlimitedWord) {
        return unlimited(v) ? unlimitedWord : Long.toString(v);
    }

    private static void append(StringBuilder b, String key, Long v) {
        if (v != null) b.append(' ').append(key).append('=').append(unlimited(v) ? "max" : Long.toString(v));
    }

    /** v1 throttles one device per write; 0 removes the device's limit. */
    private static void v1Io(List<CgroupWrite> w, String dev, String file, Long v) {
        if (v != null) w.add(CgroupWrite.of("io", "blkio", file, dev + " " + (unlimited(v) ? 0 : v)));
    }
}
