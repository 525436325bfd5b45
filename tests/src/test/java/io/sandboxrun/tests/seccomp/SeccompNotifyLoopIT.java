package io.sandboxrun.tests.seccomp;

import static io.sandboxrun.core.linux.Errno.EPERM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Denial;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's one notification loop under load and under abuse: 100 instances refusing calls
 * at once are all answered with no thread per instance, and a target killed while its threads
 * wait on notifications leaves nothing stuck for the next launch.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.LIBSECCOMP})
class SeccompNotifyLoopIT {
    /** Ten refused chroot calls (python profile: default EPERM), each answered by the launcher. */
    static final String TEN_REFUSALS = "import os\nn = 0\nfor _ in range(10):\n    try:\n        os.chroot('/')\n"
            + "    except PermissionError:\n        n += 1\nassert n == 10, n\n";
    /** Four threads refusing chroot in a loop (os.chroot releases the GIL: several wait at once). */
    static final String SPIN = "import os, threading\ndef spin():\n    while True:\n        try:\n"
            + "            os.chroot('/')\n        except PermissionError:\n            pass\n"
            + "for _ in range(4):\n    threading.Thread(target=spin, daemon=True).start()\n"
            + "print('spinning', flush=True)\nthreading.Event().wait()\n";
    static Harness h;

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    static Policy refusing(String app, String script) {
        return h.policy(app, List.of("python3", "-c", script)).withSeccomp("python");
    }

    static void assertTenAnswered(RunResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.denials().size(), r.denials().toString());
        Denial d = r.denials().get(0);
        assertEquals("chroot", d.syscall());
        assertEquals(EPERM, d.errno());
        assertEquals(10, d.count(), d.toString());
    }

    @Test
    void hundredInstancesAtOnceAreAllAnsweredWithoutThreadGrowth() throws Exception {
        // The loop starts with the first filter that notifies: count threads after one such launch.
        assertTenAnswered(h.run(refusing("loop-warm", TEN_REFUSALS)).result());
        int before = Thread.activeCount();
        int peak = before;
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            instances.add(Harness.runtime().launch(new LaunchSpec(refusing("loop-" + (i % 10), TEN_REFUSALS),
                    Stdio.NULL, Stdio.NULL, Stdio.NULL)));
            peak = Math.max(peak, Thread.activeCount());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(instances.stream().map(Instance::onExit)
                .toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!all.isDone() && System.nanoTime() < deadline) {
            peak = Math.max(peak, Thread.activeCount());
            Thread.sleep(20);
        }
        assertTrue(all.isDone(), "instances still running after 60 s: " + Harness.runtime().liveInstances());
        // One notification thread, one monitor, one spawner, all started already; a few JDK pool threads at most.
        assertTrue(peak <= before + 4, "threads grew from " + before + " to " + peak + " for 100 instances");
        for (Instance i : instances) assertTenAnswered(i.onExit().get());
        assertEquals(0, Harness.runtime().liveInstances());
    }

    @Test
    void aTargetKilledMidNotificationLeavesNothingStuck() throws Exception {
        for (int round = 0; round < 3; round++) {
            Instance i = Harness.runtime().launch(new LaunchSpec(refusing(Harness.appName("spin"), SPIN),
                    Stdio.NULL, Stdio.PIPE, Stdio.NULL));
            BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
            assertEquals("spinning", out.readLine());
            Thread.sleep(100);
            i.kill();
            RunResult r = i.onExit().get(10, TimeUnit.SECONDS);
            assertEquals(Optional.of(Signals.SIGKILL), r.signal(), r.toString());
            assertEquals("chroot", r.denials().get(0).syscall(), r.denials().toString());
            assertTrue(r.denials().get(0).count() > 10, r.denials().toString());
            // The next instance on the same runtime still has its refusals answered.
            assertTenAnswered(h.run(refusing(Harness.appName("after-kill"), TEN_REFUSALS)).result());
        }
        assertEquals(0, Harness.runtime().liveInstances());
    }
}
