package io.sandboxrun.tests.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.Ending;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.launcher.ResultJson;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Time limits and stops on real sandboxes: each ends the app as the policy says, and the result says how. */
class TimeLimitsIT extends AppsUnderLimits {
    /** Ignores SIGTERM, says so, then sleeps: only a SIGKILL ends it. */
    static final String STUBBORN = "import signal, time\n"
            + "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            + "print('ready', flush=True)\n"
            + "time.sleep(600)\n";

    @Test
    void aSleepingAppEndsAtItsTimeLimit() {
        Policy p = python("time", "import time\ntime.sleep(600)\n").with("time-limit", Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        RunResult r = h.run(p).result();
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertEquals(new Ending(Ending.Reason.TIME_LIMIT, "2s", false), r.ending(), r.toString());
        assertEquals(15, r.signal().orElse(0), "python's default SIGTERM handling ends it: " + r);
        assertTrue(seconds >= 2 && seconds < 2 + 10, "ended after " + seconds + " s");
        assertTrue(seconds < 4, "SIGTERM ends a sleeping python at once, not at the stop timeout: " + seconds + " s");
        assertEquals("time-limit", ResultJson.toJson(r).get("ended_by").asText());
        assertEquals("2s", ResultJson.toJson(r).get("ended_by_limit").asText());
    }

    @Test
    void anAppThatIgnoresSigtermIsKilledAfterTheStopTimeout() {
        Policy p = python("stubborn", STUBBORN).with("time-limit", Duration.ofSeconds(1))
                .with("stop-timeout", Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        RunResult r = h.run(p).result();
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertEquals(new Ending(Ending.Reason.TIME_LIMIT, "1s", true), r.ending(), r.toString());
        assertEquals(137, r.exitCode(), r.toString());
        assertTrue(seconds >= 2 && seconds < 5, "1 s limit + 1 s stop timeout took " + seconds + " s");
        assertTrue(ResultJson.toJson(r).get("escalated").asBoolean());
    }

    @Test
    void fourSpinningProcessesAreStoppedAfterTheirCpuTimeTogether() {
        String spin = "import os\n"
                + "for _ in range(3):\n"
                + "    if os.fork() == 0: break\n"
                + "while True: pass\n";
        // cpus max: the instance may keep both of this host's CPUs busy, so CPU time runs ahead of wall time.
        Policy p = python("cpu", spin).with("cpu-time-limit", Duration.ofSeconds(2))
                .withLimits(h.policy("x", List.of("true")).limits().withCpuMillis(Limits.CPU_UNLIMITED));
        long t0 = System.nanoTime();
        RunResult r = h.run(p).result();
        double wall = (System.nanoTime() - t0) / 1e9;

        assertEquals(new Ending(Ending.Reason.CPU_TIME_LIMIT, "2s", false), r.ending(), r.toString());
        long cpu = r.usage().orElseThrow().cpuUsageUsec();
        assertTrue(cpu >= 2_000_000 && cpu < 3_000_000, "stopped at " + cpu + " µs of CPU (limit 2 s, 4 processes)");
        // The CPU time above is the point; the wall time only shows it did not wait for another clock.
        assertTrue(wall < 15, "took " + wall + " s of wall time");
    }

    @Test
    void stopAsksWithSigtermAndAnAppThatHandlesItExitsCleanly() throws Exception {
        String graceful = "import signal, sys, time\n"
                + "signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))\n"
                + "print('ready', flush=True)\n"
                + "time.sleep(600)\n";
        Instance i = launch(python("graceful", graceful));
        awaitReady(i);
        long t0 = System.nanoTime();
        i.stop();
        RunResult r = i.onExit().get(20, TimeUnit.SECONDS);

        assertEquals(Ending.of(Ending.Reason.EXIT), r.ending(), r.toString());
        assertEquals(0, r.exitCode());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "a clean exit within the grace period");
    }

    @Test
    void aStopThatOutlivesItsTimeoutEndsInStopTimeoutAndASecondStopKillsAtOnce() throws Exception {
        Instance i = launch(python("stop", STUBBORN).with("stop-timeout", Duration.ofSeconds(1)));
        awaitReady(i);
        i.stop();
        RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
        assertEquals(new Ending(Ending.Reason.STOP_TIMEOUT, "1s", true), r.ending(), r.toString());

        Instance j = launch(python("stop2", STUBBORN).with("stop-timeout", Duration.ofSeconds(60)));
        awaitReady(j);
        long t0 = System.nanoTime();
        j.stop();
        j.stop();   // the library takes every call as a request (a signal delivered twice is the CLI's to tell)
        RunResult r2 = j.onExit().get(20, TimeUnit.SECONDS);
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the second stop did not kill at once");
        assertEquals(new Ending(Ending.Reason.KILLED, null, true), r2.ending(), r2.toString());
    }

    @Test
    void aKillEndsInKilledAndAnAppsOwnSignalInSignal() throws Exception {
        Instance i = launch(python("kill", STUBBORN));
        awaitReady(i);
        i.kill();
        RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
        assertEquals(Ending.of(Ending.Reason.KILLED), r.ending(), r.toString());

        RunResult own = h.run(python("segv", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")).result();
        assertEquals(Ending.of(Ending.Reason.SIGNAL), own.ending(), own.toString());
        assertEquals(11, own.signal().orElse(0));

        RunResult exit = h.run(python("exit", "raise SystemExit(3)\n")).result();
        assertEquals(Ending.of(Ending.Reason.EXIT), exit.ending());
        assertEquals(3, exit.exitCode());

        // probe.py is not executable (rw-r--r--): the helper's exec fails, a setup failure (126).
        app = app("noexec");
        RunResult setup = h.run(h.policy(app, List.of("/app/probe.py"))).result();
        assertEquals(Ending.of(Ending.Reason.SETUP_FAILURE), setup.ending(), setup.toString());
        assertFalse(setup.failure().isEmpty());
        assertEquals(126, setup.exitCode(), setup.toString());
    }

    private static Instance launch(Policy p) {
        return Harness.runtime().launch(new LaunchSpec(p, Stdio.NULL, Stdio.PIPE, Stdio.NULL));
    }

    private static void awaitReady(Instance i) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
    }
}
