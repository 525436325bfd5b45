package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Dirs;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Xattr;
import io.sandboxrun.core.testing.RequirementsExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every driver must do on the real kernel. Each concrete class makes its instances under a
 * root of its own, {@code /sandbox-run-test-<random>} in every hierarchy of this host, and removes
 * that root in all of them afterwards, test failures or not. Nothing outside it is touched: no
 * cgroup this suite did not create is written, frozen, killed or removed, and only processes it
 * started are signalled (by their pid, through their Process).
 */
abstract class CgroupDriverContract {
    static String rootName;
    static CgroupLayout host;

    CgroupDriver driver;
    final List<Process> started = new ArrayList<>();
    final List<CgroupHandle> handles = new ArrayList<>();
    final Map<CgroupPath, Owner> owners = new java.util.HashMap<>();

    /** The driver under test, over {@code root} in the hierarchies it uses. */
    abstract CgroupDriver driver(CgroupLayout host, Map<String, String> own, String root);

    /** Skips (or fails in strict mode) when this host cannot run the suite. */
    abstract void requireHost(CgroupLayout host);

    @BeforeAll
    static void pickRoot() throws IOException {
        rootName = "/sandbox-run-test-" + UUID.randomUUID().toString().substring(0, 8);
        host = CgroupLayout.parse(Files.readString(Path.of("/proc/self/mountinfo")));
    }

    @BeforeEach
    void makeDriver() throws IOException {
        requireHost(host);
        driver = driver(host, CgroupLayout.ownCgroups(Files.readString(Path.of("/proc/self/cgroup"))), rootName);
    }

    @AfterEach
    void stopProcessesAndRemoveInstances() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (CgroupHandle h : handles) {
            try {
                h.close();
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + h + ": " + e.getMessage());
            }
        }
    }

    /** Removes our root, and whatever a failed test left below it, in every hierarchy of the host. */
    @AfterAll
    static void removeTestRoots() {
        if (rootName == null || host == null) return;
        List<Path> left = new ArrayList<>();
        List<Hierarchy> all = new ArrayList<>(host.v1());
        if (host.unified() != null) all.add(host.unified());
        for (Hierarchy h : all) {
            Path top = h.mountPoint().resolve(rootName.substring(1));
            if (!top.getFileName().toString().startsWith("sandbox-run-test-") || !Files.isDirectory(top)) continue;
            List<Path> dirs;
            try (Stream<Path> s = Files.walk(top)) {
                dirs = s.filter(Files::isDirectory).sorted(Comparator.comparing(Path::getNameCount).reversed()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Path d : dirs) {
                int errno = 0;
                for (int i = 0; i < 100; i++) {
                    errno = Dirs.rmdir(d.toString());
                    if (errno != Errno.EBUSY) break;
                    CgroupTree.sleep(20);
                }
                if (errno != 0 && errno != Errno.ENOENT) left.add(d);
            }
        }
        rootName = null;
        assertEquals(List.of(), left, "test cgroups left behind");
    }

    /** An unmet host requirement: skipped with the reason, or a failure in strict mode (CI). */
    static void require(boolean met, String reason) {
        if (met) return;
        if (RequirementsExtension.strict()) Assertions.fail("strict mode: " + reason);
        Assumptions.abort(reason);
    }

    CgroupHandle create(String app, String instance) {
        CgroupPath p = new CgroupPath(app, instance);
        Owner o = Owner.self(p);
        CgroupHandle h = driver.create(p, o);
        owners.put(p, o);
        handles.add(h);
        return h;
    }

    int sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "60").redirectErrorStream(true).start();
        started.add(p);
        return (int) p.pid();
    }

    Process process(int pid) {
        return started.stream().filter(p -> p.pid() == pid).findFirst().orElseThrow();
    }

    /** The cgroup path {@code pid} is in, per hierarchy name, as the kernel tells it. */
    static Map<String, String> cgroupsOf(int pid) throws IOException {
        return CgroupLayout.ownCgroups(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
    }

    static Optional<String> xattr(Path dir) {
        return Xattr.get(dir.toString(), CgroupFs.MARK);
    }

    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void createMarksEveryDirectoryInEveryHierarchy() {
        CgroupHandle h = create("contract", "mark");
        assertFalse(h.dirs().isEmpty());
        for (Map.Entry<Hierarchy, Path> e : h.dirs().entrySet()) {
            Path inst = e.getValue();
            assertEquals(e.getKey().mountPoint().resolve(rootName.substring(1) + "/app-contract/mark"), inst);
            assertTrue(Files.isDirectory(inst), inst.toString());
            Owner o = Owner.parse(xattr(inst).orElseThrow()).orElseThrow();
            assertEquals(owners.get(h.path()), o);
            assertEquals(ProcessHandle.current().pid(), o.pid());
            assertEquals("contract", o.app());
            assertEquals("mark", o.instance());
            assertEquals(Optional.of(Owner.SHARED), xattr(inst.getParent()));
            assertEquals(Optional.of(Owner.SHARED), xattr(inst.getParent().getParent()));
            assertTrue(Files.exists(inst.resolve("cgroup.procs")));
        }
        assertEquals(h.dirs().size(), h.procsFiles().size());
    }

    @Test
    void aProcessMovedInIsListedFrozenThawedAndKilled() throws Exception {
        CgroupHandle h = create("contract", "life");
        int pid = sleeper();
        h.addProcess(pid);
        assertEquals(List.of(pid), h.pids());
        Map<String, String> in = cgroupsOf(pid);
        for (Hierarchy hi : h.dirs().keySet()) {
            assertEquals(rootName + "/app-contract/life", in.get(hi.name()), "/proc/" + pid + "/cgroup in " + hi.name());
        }
        assertTrue(h.events().populated());
        assertFalse(h.events().frozen());

        h.freeze();
        assertTrue(h.events().frozen());
        assertFrozenByTheKernel(h, pid, true);
        assertTrue(process(pid).isAlive());
        h.thaw();
        assertFalse(h.events().frozen());
        assertFrozenByTheKernel(h, pid, false);

        CgroupStats s = h.stats();
        assertNotNull(s.cpuUsageUsec(), "CPU time of the instance");
        assertTrue(s.cpuUsageUsec() >= 0, s.toString());

        h.killAll();
        Process p = process(pid);
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "sleep died");
        assertEquals(128 + 9, p.exitValue(), "by SIGKILL");
        assertEquals(List.of(), h.pids());
        assertFalse(h.events().populated());
        assertCgroupEmpty(h);

        h.close();
        for (Path d : h.dirs().values()) {
            assertFalse(Files.exists(d), d + " removed");
            assertFalse(Files.exists(d.getParent()), d.getParent() + ": the app cgroup goes with its last instance");
            assertTrue(Files.isDirectory(d.getParent().getParent()), "the root stays for the next launch");
        }
    }

    /** What the kernel shows of a frozen (or thawed) cgroup, besides the driver's own reading. */
    abstract void assertFrozenByTheKernel(CgroupHandle h, int pid, boolean frozen) throws IOException;

    /** What the kernel shows of an empty cgroup. */
    abstract void assertCgroupEmpty(CgroupHandle h);

    @Test
    void listFindsTheMarkedInstanceAndNeverAnUnmarkedSibling() throws Exception {
        CgroupHandle h = create("contract", "listed");
        List<Path> strays = new ArrayList<>();
        for (Path inst : h.dirs().values()) {
            strays.add(Files.createDirectory(inst.resolveSibling("stray")));   // a cgroup we did not mark
        }
        List<CgroupDriver.Listed> listed = driver.list();
        assertEquals(1, listed.size(), listed.toString());
        CgroupDriver.Listed l = listed.get(0);
        assertEquals(new CgroupPath("contract", "listed"), l.path());
        assertEquals(owners.get(l.path()), l.owner());
        assertTrue(l.owner().launcherAlive(), "this JVM made it");
        assertEquals(Optional.empty(), driver.open(new CgroupPath("contract", "stray")));
        CgroupHandle again = driver.open(new CgroupPath("contract", "listed")).orElseThrow();
        assertEquals(h.dirs().values().stream().toList(), again.dirs().values().stream().toList());

        h.close();
        for (Path s : strays) {
            assertTrue(Files.isDirectory(s), s + " is not ours: left alone");
            assertTrue(Files.isDirectory(s.getParent()), "its app directory stays while it holds the stray");
        }
        for (Path s : strays) assertEquals(0, Dirs.rmdir(s.toString()));
    }

    @Test
    void anExistingInstanceIsRefused() {
        CgroupHandle h = create("contract", "twice");
        CgroupPath p = new CgroupPath("contract", "twice");
        CgroupException e = assertThrows(CgroupException.class, () -> driver.create(p, Owner.self(p)));
        assertEquals(Errno.EEXIST, e.errno());
        for (Path d : h.dirs().values()) assertTrue(Files.isDirectory(d), d + " still there");
    }
}
