package io.sandboxrun.tests.cgroup;

import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.tests.Harness;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of limits share: the cgroup requirement, a harness per class, a fresh app per
 * test whose cgroups are removed afterwards, and python workloads under the {@code default}
 * profile (they fork, which only the policy's process rules decide).
 */
abstract class AppsUnderLimits {
    static Harness h;
    String app;

    @BeforeAll
    static void setUp() {
        CgroupIT.requireLimits();
        h = new Harness();
    }

    @AfterAll
    static void tearDown() {
        if (h != null) h.close();
    }

    @AfterEach
    void removeLeftovers() {
        if (app != null) CgroupIT.removeApp(app);
    }

    /** {@code python3 -c script} as a new app named after {@code prefix}, with the embedded defaults. */
    Policy python(String prefix, String script) {
        app = Harness.appName(prefix);
        return h.policy(app, List.of("python3", "-c", script)).withSeccomp("default");
    }
}
