package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 driver on fake hybrid and legacy trees: one directory per hierarchy, made and unmade together. */
class CgroupV1DriverTest {
    @TempDir Path tmp;

    FakeCgroupFs fs;
    CgroupLayout layout;

    CgroupDriver hybrid() {
        fs = FakeCgroupFs.v2(tmp.resolve("unified"))   // this host's: cgroup2 without controllers
                .v1(tmp.resolve("cpu"), "cpu").v1(tmp.resolve("cpuacct"), "cpuacct").v1(tmp.resolve("memory"), "memory")
                .v1(tmp.resolve("pids"), "pids").v1(tmp.resolve("blkio"), "blkio").v1(tmp.resolve("freezer"), "freezer");
        return driver(CgroupLayout.Mode.HYBRID);
    }

    CgroupDriver legacy() {
        fs = new FakeCgroupFs(null).v1(tmp.resolve("cpu,cpuacct"), "cpu", "cpuacct").v1(tmp.resolve("memory"), "memory")
                .v1(tmp.resolve("pids"), "pids").v1(tmp.resolve("freezer"), "freezer");
        return driver(CgroupLayout.Mode.LEGACY);
    }

    private CgroupDriver driver(CgroupLayout.Mode mode) {
        layout = CgroupLayout.parse(fs.mountinfo());
        assertEquals(mode, layout.mode());
        return assertInstanceOf(CgroupV1Driver.class, Cgroups.driver(layout, Map.of(), "/sr", fs));
    }

    static Owner owner() {
        return new Owner(4242, 99L, "web", "i1", 5L);
    }

    static CgroupPath path() {
        return new CgroupPath("web", "i1");
    }

    @Test
    void hybridJoinsTheLimitHierarchiesAndCgroup2() {
        CgroupDriver d = hybrid();
        CgroupHandle h = d.create(path(), owner());
        assertEquals(List.of("memory", "cpu", "pids", "blkio", "unified"),
                h.dirs().keySet().stream().map(Hierarchy::name).toList(), "no cpuacct or freezer: cgroup2 does their part");
        for (Path dir : h.dirs().values()) {
            assertTrue(Files.isDirectory(dir), dir.toString());
            assertEquals(owner().encode(), fs.marks.get(dir));
            assertEquals(Owner.SHARED, fs.marks.get(dir.getParent()));
            assertEquals(Owner.SHARED, fs.marks.get(dir.getParent().getParent()));
        }
        assertEquals(List.of(), fs.writes, "v1 enables nothing");
        assertEquals(List.of(new CgroupDriver.Listed(path(), owner())), d.list());
        assertTrue(d.describe().startsWith("cgroup v1 for limits (memory,cpu,pids,blkio); cgroup2 at " + tmp.resolve("unified")),
                d.describe());
    }

    @Test
    void legacyJoinsCpuacctAndTheFreezer() {
        CgroupDriver d = legacy();
        CgroupHandle h = d.create(path(), owner());
        assertEquals(List.of("memory", "cpu,cpuacct", "pids", "freezer"),
                h.dirs().keySet().stream().map(Hierarchy::name).toList());
        h.freeze();
        assertEquals("FROZEN", fs.text(h.dirs().get(layout.v1("freezer").orElseThrow()).resolve("freezer.state")));
        assertTrue(h.events().frozen());
        h.thaw();
        assertFalse(h.events().frozen());
        h.close();
        for (Path dir : h.dirs().values()) {
            assertFalse(Files.exists(dir));
            assertFalse(Files.exists(dir.getParent()));
        }
    }

    @Test
    void limitsGoToTheHierarchyOfTheirController() {
        CgroupDriver d = hybrid();
        CgroupHandle h = d.create(path(), owner());
        List<Unenforced> u = h.apply(Limits.none().withPids(100L), new Limits(64L << 20, 1L << 20, 250, 200, 10L,
                List.of(new IoLimit("8:0", null, 4096L, null, null))));
        assertEquals(List.of("memory-high"), u.stream().map(Unenforced::limit).toList());
        Map<String, List<String>> byMount = fs.writes.stream().collect(Collectors.groupingBy(
                w -> tmp.relativize(w.file()).getName(0).toString(), java.util.LinkedHashMap::new,
                Collectors.mapping(w -> tmp.relativize(w.file()).subpath(1, tmp.relativize(w.file()).getNameCount())
                        + " <- " + w.value(), Collectors.toList())));
        assertEquals(Map.of(
                "pids", List.of("sr/app-web/pids.max <- 100", "sr/app-web/i1/pids.max <- 10"),
                "memory", List.of("sr/app-web/i1/memory.memsw.limit_in_bytes <- -1",
                        "sr/app-web/i1/memory.limit_in_bytes <- 67108864",
                        "sr/app-web/i1/memory.memsw.limit_in_bytes <- 67108864"),
                "cpu", List.of("sr/app-web/i1/cpu.cfs_period_us <- 100000", "sr/app-web/i1/cpu.cfs_quota_us <- 25000",
                        "sr/app-web/i1/cpu.shares <- 2048"),
                "blkio", List.of("sr/app-web/i1/blkio.throttle.write_bps_device <- 8:0 4096")), byMount);
    }

    @Test
    void withoutAHierarchyALimitIsUnenforced() {
        fs = FakeCgroupFs.v2(tmp.resolve("unified")).v1(tmp.resolve("memory"), "memory");
        CgroupDriver d = driver(CgroupLayout.Mode.HYBRID);
        CgroupHandle h = d.create(path(), owner());
        List<Unenforced> u = h.apply(Limits.none(), Limits.none().withMemory(1L << 20).withPids(5L).withCpuMillis(100));
        assertEquals(List.of("cpus", "pids"), u.stream().map(Unenforced::limit).toList());
        assertTrue(u.get(1).reason().startsWith("no cgroup v1 pids hierarchy is mounted"), u.get(1).reason());
    }

    @Test
    void aFailureInALaterHierarchyUndoesTheEarlierOnes() {
        CgroupDriver d = hybrid();
        fs.failMkdir = dir -> dir.startsWith(tmp.resolve("pids")) && dir.endsWith("i1") ? Errno.ENOSPC : 0;
        CgroupException e = assertThrows(CgroupException.class, () -> d.create(path(), owner()));
        assertEquals(Errno.ENOSPC, e.errno());
        for (String m : List.of("memory", "cpu", "pids", "blkio", "unified")) {
            assertFalse(Files.exists(tmp.resolve(m).resolve("sr")), m + " has nothing left");
        }
        assertEquals(Map.of(), fs.marks);
    }

    @Test
    void removeLeavesAnInstanceWhoseMarkIsNotOurs() {
        CgroupDriver d = hybrid();
        CgroupHandle h = d.create(path(), owner());
        Path memInst = h.dirs().get(layout.v1("memory").orElseThrow());
        fs.marks.put(memInst, "something else");
        h.close();
        assertTrue(Files.isDirectory(memInst), "not ours by its mark: kept");
        assertTrue(Files.isDirectory(memInst.getParent()), "and so is its app directory");
        assertFalse(Files.exists(h.dirs().get(layout.v1("pids").orElseThrow())));
    }

    @Test
    void theCpuTimeAloneIsCgroup2sOnAHybridHostAndCpuacctsOnALegacyOne() {
        CgroupHandle hybrid = hybrid().create(path(), owner());
        fs.put(hybrid.dirs().get(layout.unified()).resolve("cpu.stat"), "usage_usec 900\nuser_usec 600\nsystem_usec 300\n");
        assertEquals(900L, hybrid.cpuUsageUsec());
        assertEquals(hybrid.stats().cpuUsageUsec(), hybrid.cpuUsageUsec());
        hybrid.close();

        CgroupHandle legacy = legacy().create(new CgroupPath("web", "i2"), owner());
        Path acct = legacy.dirs().get(layout.v1("cpuacct").orElseThrow());
        fs.put(acct.resolve("cpuacct.usage"), "7000000\n");
        assertEquals(7000L, legacy.cpuUsageUsec());
        assertEquals(legacy.stats().cpuUsageUsec(), legacy.cpuUsageUsec());
        legacy.close();
    }
}
