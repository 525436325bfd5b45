package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.testing.Requires;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The v2 driver on the host's cgroup2 mount only (on a hybrid host: /sys/fs/cgroup/unified, which
 * may offer no controller: then every limit is reported unenforced, and freeze, kill, events and
 * CPU time still work).
 */
@Requires(Feature.ROOT)
class CgroupV2IT extends CgroupDriverContract {
    @Override
    void requireHost(CgroupLayout host) {
        require(host.unified() != null, "requires a cgroup2 mount: " + host.describe());
    }

    @Override
    CgroupDriver driver(CgroupLayout host, Map<String, String> own, String root) {
        // The host's mountinfo with the cgroup2 line only: a unified layout over the real mount.
        String cgroup2 = "1 0 0:1 " + host.unified().mountRoot() + " " + host.unified().mountPoint() + " rw - cgroup2 cgroup2 rw\n";
        CgroupLayout unifiedOnly = CgroupLayout.parse(cgroup2);
        assertEquals(CgroupLayout.Mode.UNIFIED, unifiedOnly.mode());
        return assertInstanceOf(CgroupV2Driver.class, Cgroups.driver(unifiedOnly, own, root, new CgroupFs()));
    }

    @Override
    void assertFrozenByTheKernel(CgroupHandle h, int pid, boolean frozen) {
        Path d = h.dirs().values().iterator().next();
        assertEquals(frozen ? 1L : 0L, ControlFiles.keyed(read(d.resolve("cgroup.events"))).get("frozen"));
        assertEquals(frozen ? "1" : "0", read(d.resolve("cgroup.freeze")));
    }

    @Override
    void assertCgroupEmpty(CgroupHandle h) {
        Path d = h.dirs().values().iterator().next();
        assertEquals(0L, ControlFiles.keyed(read(d.resolve("cgroup.events"))).get("populated"));
        assertEquals("", read(d.resolve("cgroup.procs")));
    }

    @Test
    void limitsAreWrittenWhereTheControllerReachesAndReportedWhereNot() {
        CgroupHandle h = create("contract", "limits");
        Path inst = h.dirs().values().iterator().next();
        Set<String> offered = ControlFiles.words(Optional.of(read(inst.resolve("cgroup.controllers"))));
        List<Unenforced> u = h.apply(Limits.none(), Limits.none().withMemory(64L << 20).withPids(32L));
        Map<String, String> reasons = u.stream().collect(Collectors.toMap(Unenforced::limit, Unenforced::reason));
        if (offered.contains("memory")) {
            assertEquals("67108864", read(inst.resolve("memory.max")));
        } else {
            assertTrue(reasons.containsKey("memory"), "memory reported unenforced: " + u);
            assertTrue(reasons.get("memory").startsWith("the memory controller does not reach " + inst), reasons.get("memory"));
        }
        if (offered.contains("pids")) {
            assertEquals("32", read(inst.resolve("pids.max")));
        } else {
            assertTrue(reasons.get("pids").startsWith("the pids controller does not reach " + inst), u.toString());
        }
        System.err.println("cgroup2 offers [" + String.join(" ", offered) + "] to " + inst + "; unenforced: " + u);
    }
}
