package io.sandboxrun.tests.cgroup;

import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.tests.Harness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of cgroups share: the cgroup requirement, a harness per class, fresh apps per
 * test whose cgroups are removed afterwards, and python workloads under the {@code default}
 * profile (they fork, which only the policy's process rules decide).
 */
abstract class AppsUnderLimits {
    static Harness h;
    final List<String> apps = new ArrayList<>();
    /** The app of the last {@link #python}. */
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
        apps.forEach(CgroupIT::removeApp);
    }

    /** A new app name from {@code prefix}, its cgroups removed after the test. */
    String app(String prefix) {
        String a = Harness.appName(prefix);
        apps.add(a);
        return a;
    }

    /** {@code python3 -c script} as a new app named after {@code prefix}, with the embedded defaults. */
    Policy python(String prefix, String script) {
        app = app(prefix);
        return h.policy(app, List.of("python3", "-c", script)).withSeccomp("default");
    }

    /** Forks sleeping children until a fork is refused, prints {@code forked N}, then runs {@code then}. */
    static String forkBomb(String then) {
        return "import os, time\n"
                + "n = 0\n"
                + "while True:\n"
                + "    try:\n"
                + "        pid = os.fork()\n"
                + "    except BlockingIOError:\n"
                + "        break\n"
                + "    if pid == 0:\n"
                + "        time.sleep(120)\n"
                + "        os._exit(0)\n"
                + "    n += 1\n"
                + "print('forked', n, flush=True)\n"
                + then;
    }
}
