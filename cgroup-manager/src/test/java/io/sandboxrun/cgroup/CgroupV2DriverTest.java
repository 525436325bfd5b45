package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 driver on a fake cgroup2 tree: what it makes, marks, writes and removes. */
class CgroupV2DriverTest {
    static final long MIB = 1024 * 1024;

    @TempDir Path tmp;

    Path mount;
    Path root;
    FakeCgroupFs fs;

    CgroupDriver driver(String... offered) {
        mount = tmp.resolve("cgroup");
        fs = FakeCgroupFs.v2(mount, offered);
        CgroupLayout layout = CgroupLayout.parse(fs.mountinfo());
        assertEquals(CgroupLayout.Mode.UNIFIED, layout.mode());
        CgroupDriver d = Cgroups.driver(layout, Map.of(Hierarchy.UNIFIED, "/"), "/sandbox-run", fs);
        assertInstanceOf(CgroupV2Driver.class, d);
        root = mount.resolve("sandbox-run");
        return d;
    }

    CgroupDriver driver() {
        return driver("cpu", "io", "memory", "pids");
    }

    static Owner owner(String app, String instance) {
        return new Owner(4242, 1234567L, app, instance, 1733500000000L);
    }

    CgroupHandle create(CgroupDriver d, String app, String instance) {
        return d.create(new CgroupPath(app, instance), owner(app, instance));
    }

    @Test
    void createMakesMarksAndEnablesControllersAboveTheInstance() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        Path app = root.resolve("app-web"), inst = app.resolve("i1");

        assertEquals(List.of(root, app, inst), fs.mkdirs);
        assertEquals(Map.of(root, Owner.SHARED, app, Owner.SHARED, inst, owner("web", "i1").encode()), fs.marks);
        assertEquals(List.of("sandbox-run/cgroup.subtree_control <- +cpu +io +memory +pids",
                        "sandbox-run/app-web/cgroup.subtree_control <- +cpu +io +memory +pids"),
                fs.writesUnder(mount));
        assertEquals("cpu io memory pids", fs.text(inst.resolve("cgroup.controllers")), "every wanted controller reaches the instance");
        assertEquals("", fs.text(inst.resolve("cgroup.subtree_control")), "the instance holds processes: nothing enabled in it");

        assertEquals(Map.of(d.layout().unified(), inst), h.dirs());
        assertEquals(List.of(inst.resolve("cgroup.procs")), h.procsFiles());
        assertEquals(new CgroupPath("web", "i1"), h.path());
        assertTrue(d.describe().contains("controllers offered there: cpu io memory pids"), d.describe());
    }

    @Test
    void aSecondInstanceReusesTheSharedDirectories() {
        CgroupDriver d = driver();
        create(d, "web", "i1");
        fs.writes.clear();
        fs.mkdirs.clear();
        create(d, "web", "i2");
        assertEquals(List.of(root.resolve("app-web/i2")), fs.mkdirs);
        assertEquals(List.of(), fs.writes, "controllers already on: nothing to write");
    }

    @Test
    void enablesOnlyWantedControllersTheParentOffers() {
        CgroupDriver d = driver("cpuset", "memory", "hugetlb", "pids");
        create(d, "web", "i1");
        assertEquals(List.of("sandbox-run/cgroup.subtree_control <- +memory +pids",
                        "sandbox-run/app-web/cgroup.subtree_control <- +memory +pids"),
                fs.writesUnder(mount));
    }

    @Test
    void theSupervisorsOfEachLiveInstanceAreAddedOnTopOfThePidsLimits() {
        CgroupDriver d = driver();
        Path app = root.resolve("app-web");
        Limits pids = Limits.none().withPids(128L);
        CgroupHandle first = create(d, "web", "i1");
        first.apply(pids, Limits.none().withPids(10L), 2);
        assertEquals("130", fs.text(app.resolve("pids.max")), "one instance: 128 + its 2");
        assertEquals("12", fs.text(app.resolve("i1/pids.max")), "the instance's own limit + its 2");

        CgroupHandle second = create(d, "web", "i2");
        second.apply(pids, Limits.none(), 2);
        assertEquals("132", fs.text(app.resolve("pids.max")), "two instances: 128 + 2 each");

        second.close();
        assertEquals("130", fs.text(app.resolve("pids.max")), "the ended instance's allowance goes with it");
        first.close();
    }

    @Test
    void appliesEveryLimitToItsFile() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        Path app = root.resolve("app-web"), inst = app.resolve("i1");
        fs.writes.clear();

        Limits appLimits = Limits.none().withMemory(1024 * MIB).withPids(512L);
        Limits instLimits = new Limits(256 * MIB, 200 * MIB, 500, 50, 64L,
                List.of(new IoLimit("8:0", 1048576L, null, null, 300L)));
        assertEquals(List.of(), h.apply(appLimits, instLimits));

        assertEquals(List.of(
                        "app-web/memory.max <- 1073741824",
                        "app-web/memory.swap.max <- 0",
                        "app-web/pids.max <- 512",
                        "app-web/i1/memory.max <- 268435456",
                        "app-web/i1/memory.swap.max <- 0",
                        "app-web/i1/memory.high <- 209715200",
                        "app-web/i1/cpu.max <- 50000 100000",
                        "app-web/i1/cpu.weight <- 50",
                        "app-web/i1/pids.max <- 64",
                        "app-web/i1/io.max <- 8:0 rbps=1048576 wiops=300"),
                fs.writesUnder(root));
        assertEquals("50000 100000", fs.text(inst.resolve("cpu.max")));
        assertEquals("268435456", fs.text(inst.resolve("memory.max")));
        assertEquals("max", fs.text(app.resolve("cpu.max").resolveSibling("memory.high")), "app memory-high untouched");
    }

    @Test
    void explicitlyUnlimitedWritesMax() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        fs.writes.clear();
        Limits max = new Limits(Limits.UNLIMITED, Limits.UNLIMITED, Limits.CPU_UNLIMITED, null, Limits.UNLIMITED,
                List.of(new IoLimit("8:0", Limits.UNLIMITED, null, null, null)));
        assertEquals(List.of(), h.apply(Limits.none(), max));
        assertEquals(List.of("memory.max <- max", "memory.swap.max <- max", "memory.high <- max", "cpu.max <- max 100000",
                "pids.max <- max", "io.max <- 8:0 rbps=max"), fs.writesUnder(root.resolve("app-web/i1")));
    }

    @Test
    void swapAccountingOffSkipsSwapMax() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        Path inst = root.resolve("app-web/i1");
        fs.writes.clear();
        assertTrue(inst.resolve("memory.swap.max").toFile().delete());
        assertEquals(List.of(), h.apply(Limits.none(), Limits.none().withMemory(64 * MIB)));
        assertEquals(List.of("memory.max <- 67108864"), fs.writesUnder(inst));
    }

    @Test
    void aControllerThatDoesNotReachTheInstanceIsReportedNotDropped() {
        CgroupDriver d = driver("memory", "pids");
        CgroupHandle h = create(d, "web", "i1");
        fs.writes.clear();
        List<Unenforced> u = h.apply(Limits.none(), new Limits(64 * MIB, null, 500, 20, 10L,
                List.of(new IoLimit("8:0", 1L, null, null, null))));
        assertEquals(List.of("cpus", "cpu-weight", "io"), u.stream().map(Unenforced::limit).toList());
        assertTrue(u.get(0).reason().startsWith("the cpu controller does not reach " + root.resolve("app-web/i1")),
                u.get(0).reason());
        assertTrue(u.get(2).reason().startsWith("the io controller does not reach"), u.get(2).reason());
        assertEquals(List.of("memory.max <- 67108864", "memory.swap.max <- 0", "pids.max <- 10"),
                fs.writesUnder(root.resolve("app-web/i1")));
    }

    @Test
    void aFailedEnableIsTheReason() {
        CgroupDriver d = driver();
        fs.failWrite = (f, v) -> f.equals(root.resolve("cgroup.subtree_control")) ? Errno.EBUSY : 0;
        CgroupHandle h = create(d, "web", "i1");   // enabling is best effort: the instance is still made
        List<Unenforced> u = h.apply(Limits.none().withMemory(MIB), Limits.none());
        assertEquals(1, u.size());
        assertEquals("memory", u.get(0).limit());
        assertTrue(u.get(0).reason().contains("cannot write \"+cpu +io +memory +pids\" to " + root.resolve("cgroup.subtree_control")),
                u.get(0).reason());
    }

    @Test
    void aWriteThatFailsIsAnErrorNamingFileAndValue() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        fs.failWrite = (f, v) -> f.getFileName().toString().equals("cpu.max") ? Errno.EINVAL : 0;
        CgroupException e = assertThrows(CgroupException.class, () -> h.apply(Limits.none(), Limits.none().withCpuMillis(1)));
        assertEquals(root.resolve("app-web/i1/cpu.max"), e.path());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("cannot write \"100 100000\" to " + root.resolve("app-web/i1/cpu.max")), e.getMessage());
    }

    @Test
    void failedMarkRollsBackEverythingThisCreateMade() {
        CgroupDriver d = driver();
        fs.failMark = dir -> dir.getFileName().toString().equals("i1") ? Errno.EOPNOTSUPP : 0;
        CgroupException e = assertThrows(CgroupException.class, () -> create(d, "web", "i1"));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertFalse(Files.exists(root), "the root this create made is gone too");
        assertEquals(Map.of(), fs.marks);
        assertEquals(List.of(), d.list());
    }

    @Test
    void failedMkdirMidwayLeavesNothingBehind() {
        CgroupDriver d = driver();
        fs.failMkdir = dir -> dir.getFileName().toString().equals("app-web") ? Errno.EACCES : 0;
        CgroupException e = assertThrows(CgroupException.class, () -> create(d, "web", "i1"));
        assertTrue(e.getMessage().startsWith("cannot create cgroup " + root.resolve("app-web")), e.getMessage());
        assertFalse(Files.exists(root));
        assertEquals(Map.of(), fs.marks);
    }

    @Test
    void rollbackLeavesOtherInstancesAndSharedDirectories() {
        CgroupDriver d = driver();
        CgroupHandle i1 = create(d, "web", "i1");
        fs.failMark = dir -> dir.getFileName().toString().equals("i2") ? Errno.EIO : 0;
        assertThrows(CgroupException.class, () -> create(d, "web", "i2"));
        assertFalse(Files.exists(root.resolve("app-web/i2")));
        assertTrue(Files.isDirectory(i1.dirs().values().iterator().next()));
        assertEquals(Owner.SHARED, fs.marks.get(root.resolve("app-web")));
        assertEquals(List.of(new CgroupDriver.Listed(new CgroupPath("web", "i1"), owner("web", "i1"))), d.list());
    }

    @Test
    void anExistingInstanceIsNeverTakenOver() {
        CgroupDriver d = driver();
        create(d, "web", "i1");
        CgroupException e = assertThrows(CgroupException.class, () -> d.create(new CgroupPath("web", "i1"), owner("other", "x")));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(owner("web", "i1").encode(), fs.marks.get(root.resolve("app-web/i1")), "mark untouched");
        assertTrue(Files.isDirectory(root.resolve("app-web/i1")));
    }

    @Test
    void retriesWhenAConcurrentLauncherRemovedTheAppDirectory() {
        CgroupDriver d = driver();
        AtomicInteger failures = new AtomicInteger();
        fs.failMkdir = dir -> dir.getFileName().toString().equals("i1") && failures.getAndIncrement() == 0 ? Errno.ENOENT : 0;
        CgroupHandle h = create(d, "web", "i1");
        assertEquals(2, failures.get());
        assertTrue(Files.isDirectory(h.dirs().values().iterator().next()));
        assertEquals(owner("web", "i1").encode(), fs.marks.get(root.resolve("app-web/i1")));
    }

    @Test
    void closeRemovesTheInstanceAndTheEmptyAppButKeepsTheRoot() {
        CgroupDriver d = driver();
        CgroupHandle i1 = create(d, "web", "i1"), i2 = create(d, "web", "i2");
        i1.close();
        assertFalse(Files.exists(root.resolve("app-web/i1")));
        assertTrue(Files.isDirectory(root.resolve("app-web")), "i2 still runs in it");
        i2.close();
        assertFalse(Files.exists(root.resolve("app-web")));
        assertTrue(Files.isDirectory(root));
        assertEquals(Map.of(root, Owner.SHARED), fs.marks);
        i2.close();   // once only
    }

    @Test
    void removeEmptyRootsRemovesOurEmptyRootOnlyAndNeverAnUnmarkedParent() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        d.removeEmptyRoots();
        assertTrue(Files.isDirectory(root.resolve("app-web/i1")), "a root with an instance stays");
        h.close();
        d.removeEmptyRoots();
        assertFalse(Files.exists(root));
        assertTrue(Files.isDirectory(mount), "the mount point carries no mark of ours");
        assertEquals(Map.of(), fs.marks);
        create(d, "web", "i2").close();   // the next launch makes the root again
        assertTrue(Files.isDirectory(root));
        fs.marks.remove(root);            // a root someone else made: never removed
        d.removeEmptyRoots();
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void unmarkedDirectoriesAreNeverListedOpenedOrRemoved() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        Path stray = root.resolve("app-web/stray"), foreignApp = root.resolve("app-other"), other = root.resolve("misc");
        fs.mkdir(stray);
        fs.mkdir(foreignApp);
        fs.mkdir(foreignApp.resolve("i9"));
        fs.marks.put(foreignApp.resolve("i9"), owner("other", "i9").encode());   // a marked instance in an unmarked app dir
        fs.mkdir(other);

        assertEquals(List.of(new CgroupDriver.Listed(new CgroupPath("web", "i1"), owner("web", "i1"))), d.list());
        assertEquals(Optional.empty(), d.open(new CgroupPath("web", "stray")));
        assertEquals(Optional.empty(), d.open(new CgroupPath("web", "missing")));

        // An instance whose mark is gone (not ours any more) is left alone by close.
        fs.marks.remove(root.resolve("app-web/i1"));
        h.close();
        assertTrue(Files.isDirectory(root.resolve("app-web/i1")));
        assertTrue(Files.isDirectory(stray));
        assertTrue(Files.isDirectory(foreignApp.resolve("i9")));
        assertTrue(Files.isDirectory(other));
    }

    @Test
    void openFindsAMarkedInstance() {
        CgroupDriver d = driver();
        create(d, "web", "i1");
        CgroupHandle h = d.open(new CgroupPath("web", "i1")).orElseThrow();
        assertEquals(List.of(root.resolve("app-web/i1/cgroup.procs")), h.procsFiles());
        h.close();
        assertFalse(Files.exists(root.resolve("app-web")));
    }

    @Test
    void processesFreezeKillAndStats() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        Path inst = root.resolve("app-web/i1");
        h.addProcess(4711);
        assertEquals(List.of(4711), h.pids());
        assertTrue(h.events().populated());
        h.freeze();
        assertTrue(h.events().frozen());
        assertEquals("1", fs.text(inst.resolve("cgroup.freeze")));
        h.thaw();
        assertFalse(h.events().frozen());
        h.killAll();
        assertEquals(List.of(), h.pids());
        assertFalse(h.events().populated());
        assertTrue(fs.writesUnder(inst).contains("cgroup.kill <- 1"), fs.writesUnder(inst).toString());

        fs.put(inst.resolve("cpu.stat"), "usage_usec 900\nuser_usec 600\nsystem_usec 300\nnr_periods 9\nnr_throttled 2\nthrottled_usec 77\n");
        fs.put(inst.resolve("memory.current"), "4096\n");
        fs.put(inst.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        fs.put(inst.resolve("pids.current"), "3\n");
        fs.put(inst.resolve("pids.events"), "max 5\n");
        fs.put(inst.resolve("cpu.pressure"), "some avg10=1.50 avg60=0.25 avg300=0.00 total=1000\nfull avg10=0.50 avg60=0.10 avg300=0.00 total=400\n");
        CgroupStats s = h.stats();
        assertEquals(4096L, s.memoryCurrent());
        assertNull(s.memoryPeak(), "no memory.peak before 5.19");
        assertEquals(1L, s.oomKills());
        assertEquals(900L, s.cpuUsageUsec());
        assertEquals(600L, s.cpuUserUsec());
        assertEquals(300L, s.cpuSystemUsec());
        assertEquals(77L, s.throttledUsec());
        assertEquals(2L, s.throttledPeriods());
        assertEquals(3L, s.pidsCurrent());
        assertNull(s.pidsPeak());
        assertEquals(5L, s.pidsLimitHits());
        assertEquals(Map.of("cpu", new Pressure(1.5, 0.25, 1000, 0.5, 400L)), s.pressure());
        assertEquals(1L, h.events().oomKills());
    }

    @Test
    void removeWaitsOutABusyInstanceThenFails() {
        CgroupDriver d = driver();
        CgroupHandle h = create(d, "web", "i1");
        h.addProcess(4711);   // the fake never empties it by itself
        long t0 = System.nanoTime();
        CgroupException e = assertThrows(CgroupException.class, h::close);
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(System.nanoTime() - t0 >= 4_000_000_000L, "waited for the processes to leave");
        assertTrue(Files.isDirectory(root.resolve("app-web/i1")));
    }

    @Test
    void overlappingLaunchesLeaveTheAppsPidsLimitForEveryInstance() {
        CgroupDriver d = driver();
        Path app = root.resolve("app-web");
        Limits pids = Limits.none().withPids(128L);
        CgroupHandle first = create(d, "web", "i1");
        CgroupHandle[] second = new CgroupHandle[1];
        // Another launcher creates and limits its instance between this one's count and its write.
        fs.failWrite = (file, value) -> {
            if (second[0] == null && file.equals(app.resolve("pids.max"))) {
                second[0] = create(d, "web", "i2");
                second[0].apply(pids, Limits.none(), 2);
            }
            return 0;
        };
        first.apply(pids, Limits.none(), 2);
        assertEquals("132", fs.text(app.resolve("pids.max")), "two instances: 128 + 2 each, whichever wrote last");

        // And an instance that ends while another launch counts: its allowance still goes.
        CgroupHandle third = create(d, "web", "i3");
        fs.failWrite = (file, value) -> {
            if (second[0] != null && file.equals(app.resolve("pids.max"))) {
                CgroupHandle ending = second[0];
                second[0] = null;
                ending.close();
            }
            return 0;
        };
        third.apply(pids, Limits.none(), 2);
        assertEquals("132", fs.text(app.resolve("pids.max")), "two instances left: 128 + 2 each");
        fs.failWrite = (file, value) -> 0;
        third.close();
        first.close();
    }

    @Test
    void aPidsMarkThatIsNotOursLeavesTheLimitAndTheCloseQuiet() {
        CgroupDriver d = driver();
        Path app = root.resolve("app-web");
        CgroupHandle first = create(d, "web", "i1");
        CgroupHandle second = create(d, "web", "i2");
        first.apply(Limits.none().withPids(128L), Limits.none(), 2);
        fs.mark(app, CgroupHandle.APP_PIDS, "garbage");
        second.close();
        assertEquals("132", fs.text(app.resolve("pids.max")), "left as it was");
        first.close();
        assertFalse(Files.exists(app));
    }

    @Test
    void theCpuTimeAloneIsTheStatsFigure() {
        CgroupHandle h = create(driver(), "web", "i1");
        Path inst = root.resolve("app-web/i1");
        fs.put(inst.resolve("cpu.stat"), "usage_usec 900\nuser_usec 600\nsystem_usec 300\n");
        assertEquals(900L, h.cpuUsageUsec());
        assertEquals(h.stats().cpuUsageUsec(), h.cpuUsageUsec());
        h.close();
    }
}
