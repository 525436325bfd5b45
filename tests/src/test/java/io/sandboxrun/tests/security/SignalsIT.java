package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signals reach the app; killing the sandbox leaves nothing running. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class SignalsIT {
    static Harness h;
    static final String TRAP = "import os, signal, sys, time\n"
            + "def on(sig, frame):\n"
            + "    os.write(1, b'got %d\\n' % sig)\n"   // not print(): the signal may land inside print('ready')
            + "    os._exit(3)\n"
            + "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT):\n"
            + "    signal.signal(s, on)\n"
            + "print('ready', os.getpid(), flush=True)\n"
            // Short sleeps, not one long one: a signal that lands after Python's last check and
            // before the sleep syscall starts would otherwise wait for the whole sleep (a Python race).
            + "for _ in range(1200): time.sleep(0.05)\n";

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    @Test
    void forwardedSignalsReachTheApp() throws Exception {
        for (int sig : List.of(Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP, Signals.SIGUSR1, Signals.SIGUSR2,
                Signals.SIGQUIT)) {
            Instance i = Harness.runtime().launch(new LaunchSpec(h.policy(Harness.appName("sig"),
                    List.of("python3", "-c", TRAP)), Stdio.NULL, Stdio.PIPE, Stdio.PIPE));
            BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
            assertTrue(out.readLine().startsWith("ready"));
            assertTrue(i.signal(sig));
            String got = out.readLine();
            RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
            String err = new String(i.stderr().orElseThrow().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("got " + sig, got, "signal " + sig + ": " + r + "\nstderr: " + err);
            assertEquals(3, r.exitCode(), "signal " + sig);
        }
    }

    @Test
    void killEndsEveryProcessOfTheSandbox() throws Exception {
        // The app starts a grandchild that ignores SIGTERM and sleeps; kill() must end it too.
        String script = "import os, subprocess, time\n"
                + "p = subprocess.Popen(['sh', '-c', 'trap \"\" TERM; sleep 60'])\n"
                + "print('ready', flush=True)\n"
                + "time.sleep(60)\n";
        Instance i = Harness.runtime().launch(new LaunchSpec(h.policy(Harness.appName("kill"),
                List.of("python3", "-c", script)), Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        List<Long> tree = ProcessTree.descendants(i.pid());
        assertTrue(tree.size() >= 3, "helper tree: " + tree);   // init, python, sh (and sleep)
        i.kill();
        RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
        assertEquals(Optional.of(9), r.signal());
        ProcessTree.awaitGone(tree, 5000);
        for (long pid : tree) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " survived");
    }
}
