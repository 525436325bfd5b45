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
public record Limits(Long memory, Long memoryHigh, Integer cpuMillis, Integer cpuWeight, Long pids, List<IoLimit> io) {
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final int CPU_UNLIMITED = Integer.MAX_VALUE;

    public Limits {
        io = io == null ? null : List.copyOf(io);
    }

    /** No limits. */
    public static Limits none() {
        return new Limits(null, null, null, null, null, null);
    }

    /** True when no field is set. */
    public boolean isEmpty() {
        return memory == null && memoryHigh == null && cpuMillis == null && cpuWeight == null && pids == null
                && io == null;
    }

    /** These limits with each field that {@code top} sets replaced by its value. */
    public Limits overlay(Limits top) {
        return new Limits(
                top.memory != null ? top.memory : memory,
                top.memoryHigh != null ? top.memoryHigh : memoryHigh,
                top.cpuMillis != null ? top.cpuMillis : cpuMillis,
                top.cpuWeight != null ? top.cpuWeight : cpuWeight,
                top.pids != null ? top.pids : pids,
                top.io != null ? top.io : io);
    }

    public Limits withMemory(Long v) { return new Limits(v, memoryHigh, cpuMillis, cpuWeight, pids, io); }
    public Limits withMemoryHigh(Long v) { return new Limits(memory, v, cpuMillis, cpuWeight, pids, io); }
    public Limits withCpuMillis(Integer v) { return new Limits(memory, memoryHigh, v, cpuWeight, pids, io); }
    public Limits withCpuWeight(Integer v) { return new Limits(memory, memoryHigh, cpuMillis, v, pids, io); }
    public Limits withPids(Long v) { return new Limits(memory, memoryHigh, cpuMillis, cpuWeight, v, io); }
    public Limits withIo(List<IoLimit> v) { return new Limits(memory, memoryHigh, cpuMillis, cpuWeight, pids, v); }
}
