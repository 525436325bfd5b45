package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The v1 driver on this host's v1 hierarchies (and, on a hybrid host, its cgroup2 mount). */
@Requires(Feature.ROOT)
class CgroupV1IT extends CgroupDriverContract {
    @Override
    void requireHost(CgroupLayout host) {
        require(host.mode() == CgroupLayout.Mode.HYBRID || host.mode() == CgroupLayout.Mode.LEGACY,
                "requires v1 cgroup hierarchies (a hybrid or legacy host): " + host.describe());
        for (String c : List.of("memory", "pids", "cpu")) {
            require(host.v1(c).isPresent(), "requires the v1 " + c + " hierarchy: " + host.describe());
        }
    }

    @Override
    CgroupDriver driver(CgroupLayout host, Map<String, String> own, String root) {
        return assertInstanceOf(CgroupV1Driver.class, Cgroups.driver(host, own, root, new CgroupFs()));
    }

    Path dir(CgroupHandle h, String controller) {
        return h.dirs().get(host.v1(controller).orElseThrow());
    }

    @Override
    void assertFrozenByTheKernel(CgroupHandle h, int pid, boolean frozen) {
        if (host.unified() != null) {
            Path d = h.dirs().get(host.unified());
            assertEquals(frozen ? 1L : 0L, ControlFiles.keyed(read(d.resolve("cgroup.events"))).get("frozen"));
        } else {
            assertEquals(frozen ? "FROZEN" : "THAWED", read(dir(h, "freezer").resolve("freezer.state")));
        }
    }

    @Override
    void assertCgroupEmpty(CgroupHandle h) {
        for (Path d : h.dirs().values()) assertEquals("", read(d.resolve("cgroup.procs")), d.toString());
        if (host.unified() != null) {
            Path d = h.dirs().get(host.unified());
            assertEquals(0L, ControlFiles.keyed(read(d.resolve("cgroup.events"))).get("populated"));
        }
    }

    @Test
    void usesTheV1HierarchiesForLimits() {
        CgroupHandle h = create("contract", "dirs");
        for (String c : List.of("memory", "cpu", "pids")) {
            assertTrue(h.dirs().containsKey(host.v1(c).orElseThrow()), c + " joined");
        }
        if (host.unified() != null) assertTrue(h.dirs().containsKey(host.unified()), "cgroup2 joined for kill and freeze");
    }

    @Test
    void memoryPidsAndCpuLimitsAreReallyWritten() {
        CgroupHandle h = create("contract", "limits");
        Limits app = Limits.none().withPids(100L);
        Limits instance = Limits.none().withMemory(64L << 20).withMemoryHigh(48L << 20).withPids(32L)
                .withCpuMillis(500).withCpuWeight(50);
        List<Unenforced> u = h.apply(app, instance);

        assertEquals(List.of("memory-high"), u.stream().map(Unenforced::limit).toList(), "v1 has no memory.high");
        assertTrue(u.get(0).reason().contains("cgroup v1 has no memory.high"), u.get(0).reason());

        Path mem = dir(h, "memory"), pids = dir(h, "pids"), cpu = dir(h, "cpu");
        assertEquals(Long.toString(64L << 20), read(mem.resolve("memory.limit_in_bytes")));
        if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) {
            assertEquals(Long.toString(64L << 20), read(mem.resolve("memory.memsw.limit_in_bytes")), "no swap beyond the limit");
        }
        assertEquals("32", read(pids.resolve("pids.max")));
        assertEquals("100", read(pids.getParent().resolve("pids.max")), "the app's limit on the app cgroup");
        assertEquals("100000", read(cpu.resolve("cpu.cfs_period_us")));
        assertEquals("50000", read(cpu.resolve("cpu.cfs_quota_us")));
        assertEquals("512", read(cpu.resolve("cpu.shares")));

        // Lifted again: "max" and -1.
        assertEquals(List.of(), h.apply(Limits.none(), Limits.none().withMemory(Limits.UNLIMITED).withPids(Limits.UNLIMITED)
                .withCpuMillis(Limits.CPU_UNLIMITED)));
        assertEquals("max", read(pids.resolve("pids.max")));
        assertEquals("-1", read(cpu.resolve("cpu.cfs_quota_us")));
        assertTrue(Long.parseLong(read(mem.resolve("memory.limit_in_bytes"))) > (1L << 60), "unlimited again");
    }

    @Test
    void aPidsLimitRefusesForks() throws Exception {
        CgroupHandle h = create("contract", "pidsmax");
        h.apply(Limits.none(), Limits.none().withPids(1L));
        // A shell that forks in a loop: once it is in the cgroup, its forks fail (moving in is not limited).
        Process p = new ProcessBuilder("sh", "-c", "while :; do sleep 0.02; done").redirectErrorStream(true).start();
        started.add(p);
        h.addProcess((int) p.pid());   // the shell may give up on its first refused fork and exit
        long deadline = System.currentTimeMillis() + 5000;
        CgroupStats s = h.stats();
        while ((s.pidsLimitHits() == null || s.pidsLimitHits() == 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            s = h.stats();
        }
        assertTrue(s.pidsLimitHits() != null && s.pidsLimitHits() > 0, "forks refused: " + s);
        assertTrue(s.pidsCurrent() != null && s.pidsCurrent() <= 1, s.toString());
        assertTrue(s.memoryCurrent() != null && s.memoryCurrent() >= 0, "v1 memory.usage_in_bytes: " + s);
        h.killAll();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertEquals(List.of(), h.pids());
    }
}
