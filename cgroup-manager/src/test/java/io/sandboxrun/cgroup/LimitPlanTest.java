package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitPlanTest {
    static final long MAX = Limits.UNLIMITED;
    static final long MIB = 1024 * 1024;

    static CgroupWrite w(String limit, String controller, String file, String value) {
        return new CgroupWrite(limit, controller, file, value, false);
    }

    static CgroupWrite opt(String limit, String controller, String file, String value) {
        return new CgroupWrite(limit, controller, file, value, true);
    }

    @Test
    void noLimitsWriteNothing() {
        assertEquals(new LimitPlan(List.of(), List.of()), LimitPlan.of(Limits.none(), true));
        assertEquals(new LimitPlan(List.of(), List.of()), LimitPlan.of(Limits.none(), false));
        assertEquals(List.of(), LimitPlan.of(Limits.none().withIo(List.of()), true).writes());
    }

    @Test
    void memoryV2TurnsSwapOff() {
        assertEquals(List.of(w("memory", "memory", "memory.max", Long.toString(256 * MIB)),
                        opt("memory", "memory", "memory.swap.max", "0")),
                LimitPlan.of(Limits.none().withMemory(256 * MIB), true).writes());
        assertEquals(List.of(w("memory", "memory", "memory.max", "max"), opt("memory", "memory", "memory.swap.max", "max")),
                LimitPlan.of(Limits.none().withMemory(MAX), true).writes());
    }

    @Test
    void memoryV1KeepsMemswAboveTheLimitAtEveryStep() {
        assertEquals(List.of(opt("memory", "memory", "memory.memsw.limit_in_bytes", "-1"),
                        w("memory", "memory", "memory.limit_in_bytes", "268435456"),
                        opt("memory", "memory", "memory.memsw.limit_in_bytes", "268435456")),
                LimitPlan.of(Limits.none().withMemory(256 * MIB), false).writes());
        assertEquals(List.of(opt("memory", "memory", "memory.memsw.limit_in_bytes", "-1"),
                        w("memory", "memory", "memory.limit_in_bytes", "-1"),
                        opt("memory", "memory", "memory.memsw.limit_in_bytes", "-1")),
                LimitPlan.of(Limits.none().withMemory(MAX), false).writes());
    }

    @Test
    void memoryHighIsV2Only() {
        assertEquals(List.of(w("memory-high", "memory", "memory.high", "104857600")),
                LimitPlan.of(Limits.none().withMemoryHigh(100 * MIB), true).writes());
        assertEquals(List.of(w("memory-high", "memory", "memory.high", "max")),
                LimitPlan.of(Limits.none().withMemoryHigh(MAX), true).writes());

        LimitPlan v1 = LimitPlan.of(Limits.none().withMemoryHigh(100 * MIB), false);
        assertEquals(List.of(), v1.writes());
        assertEquals(1, v1.unenforced().size());
        Unenforced u = v1.unenforced().get(0);
        assertEquals("memory-high", u.limit());
        assertTrue(u.reason().contains("cgroup v1 has no memory.high"), u.reason());
        assertTrue(u.toString().startsWith("memory-high: "), u.toString());
    }

    @Test
    void cpus() {
        assertEquals(List.of(w("cpus", "cpu", "cpu.max", "50000 100000")),
                LimitPlan.of(Limits.none().withCpuMillis(500), true).writes());
        assertEquals(List.of(w("cpus", "cpu", "cpu.max", "250000 100000")),
                LimitPlan.of(Limits.none().withCpuMillis(2500), true).writes());
        assertEquals(List.of(w("cpus", "cpu", "cpu.max", "max 100000")),
                LimitPlan.of(Limits.none().withCpuMillis(Limits.CPU_UNLIMITED), true).writes());

        assertEquals(List.of(w("cpus", "cpu", "cpu.cfs_period_us", "100000"), w("cpus", "cpu", "cpu.cfs_quota_us", "50000")),
                LimitPlan.of(Limits.none().withCpuMillis(500), false).writes());
        assertEquals(List.of(w("cpus", "cpu", "cpu.cfs_period_us", "100000"), w("cpus", "cpu", "cpu.cfs_quota_us", "-1")),
                LimitPlan.of(Limits.none().withCpuMillis(Limits.CPU_UNLIMITED), false).writes());
        // A large finite value must not overflow int arithmetic: 1000 CPUs.
        assertEquals(List.of(w("cpus", "cpu", "cpu.max", "100000000 100000")),
                LimitPlan.of(Limits.none().withCpuMillis(1_000_000), true).writes());
    }

    @Test
    void cpuWeightAndShares() {
        assertEquals(List.of(w("cpu-weight", "cpu", "cpu.weight", "100")),
                LimitPlan.of(Limits.none().withCpuWeight(100), true).writes());
        assertEquals(List.of(w("cpu-weight", "cpu", "cpu.shares", "1024")),
                LimitPlan.of(Limits.none().withCpuWeight(100), false).writes(), "the default weight gives the default shares");
        assertEquals(List.of(w("cpu-weight", "cpu", "cpu.shares", "512")),
                LimitPlan.of(Limits.none().withCpuWeight(50), false).writes());
        assertEquals(10, LimitPlan.shares(1));
        assertEquals(102400, LimitPlan.shares(10000));
        // Clamped to what cpu.shares accepts.
        assertEquals(2, LimitPlan.shares(0));
        assertEquals(262144, LimitPlan.shares(1_000_000));
        for (int weight = 1; weight <= 10000; weight++) {
            long s = LimitPlan.shares(weight);
            assertTrue(s >= 2 && s <= 262144, weight + " -> " + s);
            assertTrue(s >= LimitPlan.shares(weight - 1), "monotonic at " + weight);
        }
    }

    @Test
    void pids() {
        assertEquals(List.of(w("pids", "pids", "pids.max", "1024")), LimitPlan.of(Limits.none().withPids(1024L), true).writes());
        assertEquals(List.of(w("pids", "pids", "pids.max", "1024")), LimitPlan.of(Limits.none().withPids(1024L), false).writes());
        assertEquals(List.of(w("pids", "pids", "pids.max", "max")), LimitPlan.of(Limits.none().withPids(MAX), true).writes());
        assertEquals(List.of(w("pids", "pids", "pids.max", "max")), LimitPlan.of(Limits.none().withPids(MAX), false).writes());
    }

    @Test
    void ioV2OneLinePerDevice() {
        Limits l = Limits.none().withIo(List.of(
                new IoLimit("8:0", 1048576L, MAX, null, 120L),
                new IoLimit("259:1", null, null, 500L, null)));
        assertEquals(List.of(w("io", "io", "io.max", "8:0 rbps=1048576 wbps=max wiops=120"),
                        w("io", "io", "io.max", "259:1 riops=500")),
                LimitPlan.of(l, true).writes());
    }

    @Test
    void ioV1OneWritePerDeviceAndDirection() {
        Limits l = Limits.none().withIo(List.of(
                new IoLimit("8:0", 1048576L, MAX, null, 120L),
                new IoLimit("259:1", null, null, 500L, null)));
        assertEquals(List.of(w("io", "blkio", "blkio.throttle.read_bps_device", "8:0 1048576"),
                        w("io", "blkio", "blkio.throttle.write_bps_device", "8:0 0"),
                        w("io", "blkio", "blkio.throttle.write_iops_device", "8:0 120"),
                        w("io", "blkio", "blkio.throttle.read_iops_device", "259:1 500")),
                LimitPlan.of(l, false).writes());
    }

    @Test
    void everyLimitInPolicyOrder() {
        Limits all = new Limits(512 * MIB, 384 * MIB, 1500, 200, 64L, List.of(new IoLimit("8:16", null, 2097152L, null, null)));
        assertEquals(new LimitPlan(List.of(
                        w("memory", "memory", "memory.max", "536870912"),
                        opt("memory", "memory", "memory.swap.max", "0"),
                        w("memory-high", "memory", "memory.high", "402653184"),
                        w("cpus", "cpu", "cpu.max", "150000 100000"),
                        w("cpu-weight", "cpu", "cpu.weight", "200"),
                        w("pids", "pids", "pids.max", "64"),
                        w("io", "io", "io.max", "8:16 wbps=2097152")), List.of()),
                LimitPlan.of(all, true));
        LimitPlan v1 = LimitPlan.of(all, false);
        assertEquals(List.of(
                        opt("memory", "memory", "memory.memsw.limit_in_bytes", "-1"),
                        w("memory", "memory", "memory.limit_in_bytes", "536870912"),
                        opt("memory", "memory", "memory.memsw.limit_in_bytes", "536870912"),
                        w("cpus", "cpu", "cpu.cfs_period_us", "100000"),
                        w("cpus", "cpu", "cpu.cfs_quota_us", "150000"),
                        w("cpu-weight", "cpu", "cpu.shares", "2048"),
                        w("pids", "pids", "pids.max", "64"),
                        w("io", "blkio", "blkio.throttle.write_bps_device", "8:16 2097152")),
                v1.writes());
        assertEquals(List.of("memory-high"), v1.unenforced().stream().map(Unenforced::limit).toList());
    }
}
