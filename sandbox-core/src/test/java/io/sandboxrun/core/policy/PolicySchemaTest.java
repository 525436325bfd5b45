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
    void aValueIsReadAndReplacedThroughItsPath() {
        Policy d = PolicyDefaults.embedded(Path.of("/"));
        PolicySchema.Leaf burst = schema.leaf("network.rates.burst");

        Policy p = burst.with(d, 7);

        assertEquals(7, burst.get(p));
        assertEquals(d.network().rates().connectionsPerSecond(), p.network().rates().connectionsPerSecond());
        assertEquals(40, burst.get(d));
    }
}
