package io.sandboxrun.core.policy;

import java.util.List;

/**
 * Cgroup resource limits of an app (shared by its instances) or of one instance. Every field is
 * {@code null} when not limited by this policy; {@link #UNLIMITED} / {@link #CPU_UNLIMITED} mean
 * "explicitly unlimited" (written as {@code max}), so that a later source can lift a default.
 *
 * @param memory     hard memory limit, bytes (v2 memory.max, swap off; v1 limit_in_bytes + memsw)
 * @param memoryHigh soft memory limit, bytes: reclaim and throttle above it (v2 only)
 * @param cpuMillis  CPU time per wall second, in thousandths of a CPU ({@code --cpus 0.5} = 500)
 * @param cpuWeight  relative CPU share when CPUs are contended, 1..10000 (v2 default 100)
 * @param pids       most tasks (processes and threads) at once
 * @param io         per-device throttles
 */
public record Limits(
        @Setting(kind = Kind.MEMORY, option = "--memory", byDefault = "256M",
                because = "room for a web worker and its caches, not for one app taking the host's memory",
                help = "Memory limit of the app, shared by its instances, without swap: 1M to 1024G (e.g. 256M),"
                        + " or max.")
        Long memory,
        @Setting(kind = Kind.MEMORY, option = "--memory-high",
                help = "Soft memory limit of the app: above it the kernel reclaims and throttles (cgroup v2 only);"
                        + " 1M to 1024G, or max.")
        Long memoryHigh,
        @Setting(kind = Kind.CPUS, key = "cpus", option = "--cpus", byDefault = "1",
                because = "one CPU per app: a busy app cannot starve the others on the host",
                help = "CPU time of the app per second, in CPUs: 0.01 to 1024 (e.g. 0.5), or max.")
        Integer cpuMillis,
        @Setting(kind = Kind.CPU_WEIGHT, option = "--cpu-weight",
                because = "the kernel's 100",
                help = "CPU share of the app when CPUs are contended: 1 to 10000.")
        Integer cpuWeight,
        @Setting(kind = Kind.PIDS, option = "--pids", byDefault = "128",
                because = "a fork bomb stops there, a web server's workers and threads fit; the sandbox's own two"
                        + " processes per instance are not counted",
                help = "Most processes and threads of the app at once: 1 to 4194304, or max.")
        Long pids,
        @Setting(kind = Kind.IO, option = "--io-max",
                help = "Throttle the app on a block device (repeatable; replaces the policy file's io list): DEV is"
                        + " MAJOR:MINOR or a /dev path, KEY rbps or wbps (bytes per second, e.g. 10M), riops or wiops"
                        + " (operations per second), a value may be max; e.g. 8:0:wbps=10M,riops=100.")
        List<IoLimit> io) {
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final int CPU_UNLIMITED = Integer.MAX_VALUE;

    public Limits {
        io = io == null ? null : List.copyOf(io);
    }

    /** No limits (and no io throttles, rather than io unset). */
    public static Limits none() {
        return new Limits(null, null, null, null, null, List.of());
    }

    /** True when no field is set. */
    public boolean isEmpty() {
        return memory == null && memoryHigh == null && cpuMillis == null && cpuWeight == null && pids == null
                && (io == null || io.isEmpty());
    }

    public Limits withMemory(Long v) { return new Limits(v, memoryHigh, cpuMillis, cpuWeight, pids, io); }
    public Limits withMemoryHigh(Long v) { return new Limits(memory, v, cpuMillis, cpuWeight, pids, io); }
    public Limits withCpuMillis(Integer v) { return new Limits(memory, memoryHigh, v, cpuWeight, pids, io); }
    public Limits withCpuWeight(Integer v) { return new Limits(memory, memoryHigh, cpuMillis, v, pids, io); }
    public Limits withPids(Long v) { return new Limits(memory, memoryHigh, cpuMillis, cpuWeight, v, io); }
    public Limits withIo(List<IoLimit> v) { return new Limits(memory, memoryHigh, cpuMillis, cpuWeight, pids, v); }
}
