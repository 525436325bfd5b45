package io.sandboxrun.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupModeTest {
    static final String HYBRID = String.join("\n",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
    static final String UNIFIED = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate";

    @Test
    void hybridHost() {
        CgroupMode m = CgroupMode.parse(HYBRID);
        assertEquals(CgroupMode.Kind.HYBRID, m.kind());
        assertEquals(List.of("cpu", "memory", "pids"), m.v1Controllers());
        assertEquals("hybrid cgroups: cpu,memory,pids on v1; cgroup2 at /sys/fs/cgroup/unified without those controllers",
                m.describe());
    }

    @Test
    void unifiedAndLegacyAndNone() {
        assertEquals(CgroupMode.Kind.UNIFIED, CgroupMode.parse(UNIFIED).kind());
        assertEquals("unified cgroups (v2) at /sys/fs/cgroup", CgroupMode.parse(UNIFIED).describe());
        assertEquals(CgroupMode.Kind.LEGACY, CgroupMode.parse(HYBRID.replace("cgroup2 cgroup2", "tmpfs tmpfs")).kind());
        assertEquals(CgroupMode.Kind.NONE, CgroupMode.parse("").kind());
    }
}
