package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settings table itself: what it derives from the declarations. */
class PolicySchemaTest {
    private final PolicySchema schema = PolicySchema.policy();

    @Test
    void pathsAreTheFileKeys() {
        assertEquals("limits.cpus", schema.leaf("limits.cpus").path());
        assertEquals("network.rates.bandwidth-in", schema.leaf("network.rates.bandwidth-in").path());
        assertEquals("user.host-id-base", schema.leaf("user.host-id-base").path());
        assertEquals(List.of("mode", "root"), schema.branch("cgroup").keys());
        assertEquals("a mapping of mode, root (e.g. {mode: required})", schema.branch("cgroup").what());
    }

    @Test
    void optionsAreUniqueAndOnlyWhereSectionsAllowThem() {
        Set<String> seen = new HashSet<>();
        for (PolicySchema.Leaf leaf : schema.leaves()) {
            if (leaf.option().isEmpty()) continue;
            assertTrue(seen.add(leaf.option()), "option " + leaf.option() + " declared twice");
            assertTrue(leaf.option().startsWith("--"), leaf.option());
        }
        assertEquals("--memory", schema.leaf("limits.memory").option());
        assertEquals("", schema.leaf("instance-limits.memory").option());
    }

    @Test
    void everyDeclaredDefaultParsesAndSectionsWithoutDefaultsHaveNone() {
        Policy d = PolicyDefaults.embedded(Path.of("/srv/app"));
        for (PolicySchema.Leaf leaf : schema.leaves()) {
            if (leaf.defaulted() && leaf.setting().byDefault().length > 0) assertNotNull(leaf.get(d), leaf.path());
        }
        assertEquals(Path.of("/srv/app"), d.appRoot());
        assertEquals(128L, d.limits().pids());
        assertEquals(256L << 20, d.limits().memory());
        assertEquals(1000, d.limits().cpuMillis());
        assertEquals(null, d.instanceLimits().pids());
    }

    @Test
    void theEmbeddedDefaultsAreTheDeclaredOnes() {
        Policy d = PolicyDefaults.embedded(Path.of("/srv/app"));
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("app", "app");
        expected.put("path", "/usr/local/bin:/usr/bin:/bin");
        expected.put("hostname", "sandbox");
        expected.put("tmp-size", "64M");
        expected.put("shm-size", "64M");
        expected.put("landlock", "best-effort");
        expected.put("user.uid", "1000");
        expected.put("user.gid", "1000");
        expected.put("user.host-id-base", "200000");
        expected.put("user.id-count", "65536");
        expected.put("state-dir", "/run/sandbox-run");
        expected.put("seccomp", "auto");
        expected.put("stop-timeout", "10s");
        expected.put("cgroup.mode", "best-effort");
        expected.put("limits.memory", "256M");
        expected.put("limits.cpus", "1");
        expected.put("limits.pids", "128");
        expected.put("network.outbound", "proxy");
        expected.put("network.dns.any-name", "false");
        expected.put("network.rates.connections-per-second", "20");
        expected.put("network.rates.burst", "40");
        expected.put("network.rates.over-limit", "refuse");
        expected.put("network.rates.concurrent", "256");
        expected.put("network.rates.bandwidth-in", "10M");
        expected.put("network.rates.bandwidth-out", "10M");
        expected.forEach((path, word) -> {
            PolicySchema.Leaf leaf = schema.leaf(path);
            assertEquals(word, leaf.kind().print(leaf.get(d)), path);
        });
        for (String none : List.of("time-limit", "cpu-time-limit", "cgroup.root", "limits.memory-high",
                "limits.cpu-weight", "network.audit-log", "instance-limits.memory", "instance-limits.pids")) {
            assertEquals(null, schema.leaf(none).get(d), none);
        }
        assertEquals(java.util.Map.of(Rlimit.NOFILE, RlimitValue.of(1024), Rlimit.CORE, RlimitValue.of(0)), d.rlimits());
        assertEquals(List.of(), d.command());
        assertEquals(List.of(), d.network().allow());
    }

    @Test
    void aValueIsReadAndReplacedThroughItsPath() {
        Policy d = PolicyDefaults.embedded(Path.of("/"));
        PolicySchema.Leaf burst = schema.leaf("network.rates.burst");

        Policy p = burst.with(d, 7);

        assertEquals(7, burst.get(p));
        assertEquals(d.network().rates().connectionsPerSecond(), p.network().rates().connectionsPerSecond());
        assertEquals(40, burst.get(d));
    }
}
