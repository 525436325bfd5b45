package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.cgroup.CgroupLayout.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {
    /** A systemd host booted with the unified hierarchy (Debian 11+, Fedora 31+). */
    static final String UNIFIED = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
            24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            26 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            27 24 0:25 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
            """;

    /** This test machine's (`grep cgroup /proc/self/mountinfo`): cpu and cpuacct are separate mounts. */
    static final String HYBRID = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    /** This test machine's /proc/self/cgroup. */
    static final String HYBRID_OWN = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/1279610b6df2f07cdef8a0c1baf2b818
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    /** CentOS 7 style: cpu,cpuacct and net_cls,net_prio co-mounted (the mount options list them unsorted), no cgroup2. */
    static final String LEGACY = """
            25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755
            26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
            28 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpuacct,cpu
            29 25 0:25 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,net_prio,net_cls
            30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
            31 25 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
            32 25 0:28 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,freezer
            33 25 0:29 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,blkio
            """;

    static final String LEGACY_OWN = """
            11:blkio:/system.slice/app.service
            10:freezer:/
            9:pids:/system.slice/app.service
            8:memory:/system.slice/app.service
            5:net_prio,net_cls:/
            4:cpuacct,cpu:/system.slice/app.service
            1:name=systemd:/system.slice/app.service
            """;

    /**
     * A Docker container without a cgroup namespace on a v1 host: each cgroup mount shows the
     * container's own subtree (mountinfo field 4), which /proc/self/cgroup names in full.
     */
    static final String CONTAINER = """
            700 699 0:92 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B
            711 709 0:96 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755
            712 711 0:30 /docker/4f1c2e /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup rw,xattr,name=systemd
            713 711 0:33 /docker/4f1c2e /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:16 - cgroup cgroup rw,cpu,cpuacct
            714 711 0:35 /docker/4f1c2e /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime master:18 - cgroup cgroup rw,memory
            715 711 0:36 /docker/4f1c2e /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime master:19 - cgroup cgroup rw,pids
            716 711 0:40 /docker/4f1c2e /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime master:23 - cgroup2 cgroup2 rw
            """;

    static final String CONTAINER_OWN = """
            12:pids:/docker/4f1c2e/sandbox/worker
            9:memory:/docker/4f1c2e/sandbox/worker
            3:cpu,cpuacct:/docker/4f1c2e/sandbox/worker
            1:name=systemd:/docker/4f1c2e
            0::/docker/4f1c2e/sandbox/worker
            """;

    @Test
    void unifiedHost() {
        CgroupLayout l = CgroupLayout.parse(UNIFIED);
        assertEquals(Mode.UNIFIED, l.mode());
        assertEquals(new Hierarchy("unified", Set.of(), Path.of("/sys/fs/cgroup"), "/"), l.unified());
        assertEquals(List.of(), l.v1());
        assertEquals("unified cgroups (v2) at /sys/fs/cgroup", l.describe());
    }

    @Test
    void hybridHostWithSeparateCpuAndCpuacct() {
        CgroupLayout l = CgroupLayout.parse(HYBRID);
        assertEquals(Mode.HYBRID, l.mode());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), l.unified().mountPoint());
        assertEquals(List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"),
                l.v1().stream().map(Hierarchy::name).toList(), "name=systemd limits nothing and is left out");
        assertEquals(new Hierarchy("cpu", Set.of("cpu"), Path.of("/sys/fs/cgroup/cpu"), "/"), l.v1("cpu").orElseThrow());
        assertEquals(Path.of("/sys/fs/cgroup/cpuacct"), l.v1("cpuacct").orElseThrow().mountPoint());
        assertEquals(Optional.empty(), l.v1("hugetlb"));
        assertEquals("hybrid cgroups: cpu,cpuacct,cpuset,memory,devices,freezer,blkio,pids on v1; cgroup2 at /sys/fs/cgroup/unified",
                l.describe());
        assertTrue(l.describe().contains("hybrid"));
    }

    @Test
    void legacyHostWithCoMountedCpuAndCpuacct() {
        CgroupLayout l = CgroupLayout.parse(LEGACY);
        assertEquals(Mode.LEGACY, l.mode());
        assertNull(l.unified());
        Hierarchy cpu = l.v1("cpu").orElseThrow();
        assertEquals("cpu,cpuacct", cpu.name(), "sorted, as /proc/self/cgroup names it after ownCgroups");
        assertEquals(Set.of("cpu", "cpuacct"), cpu.controllers());
        assertEquals(cpu, l.v1("cpuacct").orElseThrow(), "one hierarchy carries both");
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());
        assertEquals(List.of("cpu,cpuacct", "net_cls,net_prio", "memory", "pids", "freezer", "blkio"),
                l.v1().stream().map(Hierarchy::name).toList());
        // Co-mounted controllers in a stable order (Set.copyOf's order changed from one JVM run to the next).
        assertEquals("legacy cgroups (v1 only): cpu,cpuacct,net_cls,net_prio,memory,pids,freezer,blkio", l.describe());
        assertEquals(List.of("cpu", "cpuacct"), List.copyOf(cpu.controllers()));

        Map<String, String> own = CgroupLayout.ownCgroups(LEGACY_OWN);
        assertEquals("/system.slice/app.service", own.get("cpu,cpuacct"), "the kernel's cpuacct,cpu is sorted");
        assertEquals("/", own.get("net_cls,net_prio"));
        assertEquals("/system.slice/app.service", own.get("memory"));
        assertTrue(own.keySet().stream().noneMatch(k -> k.contains("systemd")), own.toString());
        assertNull(own.get(Hierarchy.UNIFIED));
        // Each hierarchy name parse() gives finds its own cgroup.
        for (Hierarchy h : l.v1()) assertTrue(own.containsKey(h.name()), h.name());
    }

    @Test
    void containerWithBoundSubtrees() {
        CgroupLayout l = CgroupLayout.parse(CONTAINER);
        assertEquals(Mode.HYBRID, l.mode());
        Hierarchy mem = l.v1("memory").orElseThrow();
        assertEquals("/docker/4f1c2e", mem.mountRoot());
        assertEquals("/docker/4f1c2e", l.unified().mountRoot());
        Map<String, String> own = CgroupLayout.ownCgroups(CONTAINER_OWN);
        assertEquals("/docker/4f1c2e/sandbox/worker", own.get("memory"));
        assertEquals("/docker/4f1c2e/sandbox/worker", own.get("cpu,cpuacct"));
        assertEquals("/docker/4f1c2e/sandbox/worker", own.get(Hierarchy.UNIFIED));

        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory/sandbox/worker")), mem.dir(own.get("memory")));
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory")), mem.dir("/docker/4f1c2e"));
        assertEquals(Optional.empty(), mem.dir("/docker/4f1c2e0"), "a sibling whose name starts the same is outside");
        assertEquals(Optional.empty(), mem.dir("/system.slice"));
        assertEquals(Path.of("/sys/fs/cgroup/unified/sandbox/worker/sandbox-run"), Cgroups.root(l.unified(), own, null));
        CgroupException e = assertThrows(CgroupException.class, () -> Cgroups.root(mem, own, "/sandbox-run"));
        assertTrue(e.getMessage().contains("outside the memory hierarchy"), e.getMessage());
    }

    @Test
    void noCgroupMount() {
        CgroupLayout l = CgroupLayout.parse("""
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
                23 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
                """);
        assertEquals(Mode.NONE, l.mode());
        assertNull(l.unified());
        assertEquals(List.of(), l.v1());
        assertEquals("no cgroup filesystem mounted", l.describe());
        assertEquals(Mode.NONE, CgroupLayout.parse("").mode());
        // Only a named hierarchy: nothing that limits.
        assertEquals(Mode.NONE, CgroupLayout.parse(
                "26 25 0:22 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n").mode());
    }

    @Test
    void mountPointEscapesAndFirstMountWins() {
        CgroupLayout l = CgroupLayout.parse("""
                41 31 0:38 / /run/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw
                42 31 0:38 / /mnt/again rw,relatime - cgroup2 cgroup2 rw
                43 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                44 31 0:32 / /mnt/memory-again rw - cgroup cgroup rw,memory
                """);
        assertEquals(Path.of("/run/my cgroups"), l.unified().mountPoint());
        assertEquals(Path.of("/sys/fs/cgroup/memory"), l.v1("memory").orElseThrow().mountPoint());
        assertEquals(1, l.v1().size());
    }

    @Test
    void ownCgroupsOfThisMachineAndAUnifiedHost() {
        Map<String, String> own = CgroupLayout.ownCgroups(HYBRID_OWN);
        assertEquals("/process_api/1279610b6df2f07cdef8a0c1baf2b818", own.get("memory"));
        assertEquals("/", own.get("cpu"));
        assertEquals("/", own.get("cpuacct"));
        assertEquals("/", own.get(Hierarchy.UNIFIED));
        assertEquals(Set.of("pids", "blkio", "freezer", "devices", "memory", "cpuset", "cpuacct", "cpu", "unified"),
                own.keySet());
        for (Hierarchy h : CgroupLayout.parse(HYBRID).v1()) assertTrue(own.containsKey(h.name()), h.name());

        assertEquals(Map.of(Hierarchy.UNIFIED, "/user.slice/user-1000.slice/session-2.scope"),
                CgroupLayout.ownCgroups("0::/user.slice/user-1000.slice/session-2.scope\n"));
        // A path may hold ':'; only the first two separate fields.
        assertEquals("/odd:name", CgroupLayout.ownCgroups("0::/odd:name").get(Hierarchy.UNIFIED));
        assertEquals(Map.of(), CgroupLayout.ownCgroups(""));
    }

    @Test
    void defaultAndConfiguredRoots() {
        CgroupLayout l = CgroupLayout.parse(HYBRID);
        Map<String, String> own = CgroupLayout.ownCgroups(HYBRID_OWN);
        assertEquals(Path.of("/sys/fs/cgroup/memory/process_api/1279610b6df2f07cdef8a0c1baf2b818/sandbox-run"),
                Cgroups.root(l.v1("memory").orElseThrow(), own, null));
        assertEquals(Path.of("/sys/fs/cgroup/unified/sandbox-run"), Cgroups.root(l.unified(), own, null));
        assertEquals(Path.of("/sys/fs/cgroup/pids/sandbox-run-test"), Cgroups.root(l.v1("pids").orElseThrow(), own, "/sandbox-run-test"));
    }
}
