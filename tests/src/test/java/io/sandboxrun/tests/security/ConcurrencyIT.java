package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One runtime runs many instances at once with a fixed number of threads, and leaves nothing behind. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class ConcurrencyIT {
    static Harness h;

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    @Test
    void fiftyInstancesAtOnceOfFiveApps() throws Exception {
        Harness.runtime();   // started before counting threads
        int threadsBefore = Thread.activeCount();
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String app = "many-" + (i % 5);
            instances.add(Harness.runtime().launch(new LaunchSpec(h.policy(app, List.of("sh", "-c",
                    "echo " + i + " > $HOME/instance-" + i + "; sleep 1; test -f $HOME/instance-" + i)),
                    Stdio.NULL, Stdio.NULL, Stdio.NULL)));
        }
        // Supervision does not add a thread per instance (the spawner and monitor already exist).
        assertTrue(Thread.activeCount() <= threadsBefore + 4, "threads grew from " + threadsBefore + " to "
                + Thread.activeCount());
        for (Instance i : instances) {
            RunResult r = i.onExit().get(60, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.toString());
        }
        assertEquals(0, Harness.runtime().liveInstances());
        assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().noneMatch(l -> l.contains(h.stateDir.toString())),
                "a writable space is still mounted under " + h.stateDir);
    }
}
