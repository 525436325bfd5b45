package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.CgroupPolicy;
import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cgroup mode's decisions when the host has no cgroups: error, warning or nothing. (With real
 * cgroups they are covered by tests/cgroup/CgroupLimitsIT.)
 */
class CgroupSetupTest {
    private final List<String> warnings = new ArrayList<>();
    private final AtomicInteger detections = new AtomicInteger();
    private final CgroupSetup none = new CgroupSetup(root -> {
        detections.incrementAndGet();
        throw new CgroupException(null, 0, "no cgroup filesystem is mounted (see /proc/self/mountinfo)");
    }, d -> { });

    private static Policy policy(CgroupPolicy.Mode mode, Limits limits) {
        return PolicyDefaults.embedded(Path.of("/")).withCommand(List.of("true"))
                .withCgroup(new CgroupPolicy(mode, null)).withLimits(limits);
    }

    @Test
    void offNeverLooksForCgroups() {
        CgroupSetup.Prepared p = none.prepare(policy(CgroupPolicy.Mode.OFF, Limits.none().withMemory(1L << 30)), "i",
                new Rollback(), warnings::add);

        assertTrue(p.handle().isEmpty());
        assertEquals(List.of(new Protection("cgroups", Protection.Status.OFF,
                "switched off by the policy (cgroup: off): no limits, no usage figures; limits not enforced: app memory 1G")),
                p.protections());
        assertEquals(0, detections.get());
        // The limits it cannot hold are said once: a default limit must not vanish silently.
        assertEquals(List.of("app \"app\" runs without a cgroup (cgroup: off); limits not enforced: app memory 1G"),
                warnings);
    }

    @Test
    void bestEffortWithoutCgroupsWarnsNamingTheLimitsAndDetectsOnce() {
        Policy p = policy(CgroupPolicy.Mode.BEST_EFFORT, Limits.none().withMemory(256L << 20).withCpuMillis(500));
        CgroupSetup.Prepared first = none.prepare(p, "a", new Rollback(), warnings::add);
        none.prepare(p, "b", new Rollback(), warnings::add);

        assertTrue(first.handle().isEmpty());
        String reason = "no cgroup filesystem is mounted (see /proc/self/mountinfo); limits not enforced:"
                + " app memory 256M, cpus 0.5";
        assertEquals(List.of(new Protection("cgroups", Protection.Status.NOT_ENFORCED, reason)), first.protections());
        assertEquals("app \"app\" runs without a cgroup: " + reason, warnings.get(0));
        assertEquals(1, detections.get());
    }

    @Test
    void requiredWithoutCgroupsFailsWithTheReason() {
        SetupException e = assertThrows(SetupException.class, () -> none.prepare(
                policy(CgroupPolicy.Mode.REQUIRED, Limits.none()), "i", new Rollback(), warnings::add));

        assertEquals(125, e.exitCode());
        assertEquals("cgroup", e.step());
        assertEquals("no cgroup for app \"app\": no cgroup filesystem is mounted (see /proc/self/mountinfo) (the"
                + " policy says cgroup: required; best-effort runs without limits and warns)", e.getMessage());
    }

    @Test
    void limitsInWords() {
        Limits app = new Limits(Limits.UNLIMITED, 200L << 20, 1500, 50, 64L,
                List.of(new IoLimit("8:0", null, 10L << 20, null, 100L)));
        Policy p = policy(CgroupPolicy.Mode.BEST_EFFORT, app).withInstanceLimits(Limits.none().withPids(Limits.UNLIMITED));

        assertEquals("app memory max, memory-high 200M, cpus 1.5, cpu-weight 50, pids 64, io 8:0 wbps=10485760"
                + " wiops=100; instance pids max", CgroupSetup.describe(p));
        assertEquals("no limits", CgroupSetup.describe(policy(CgroupPolicy.Mode.BEST_EFFORT, Limits.none())));
    }
}
