package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exit status mirrors the app; the runtime's own failures are 125, 126, 127 with a clear message. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class ExitCodesIT {
    static Harness h;

    @BeforeAll
    static void setUp() {
        h = new Harness();
        TestDirs.write(h.appRoot, "not-executable.sh", "#!/bin/sh\necho never\n", "rw-r--r--");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    private Harness.Run run(String... command) {
        return h.run(h.policy(Harness.appName("exit"), List.of(command)));
    }

    @Test
    void appExitCodeIsPassedThrough() {
        RunResult r = run("python3", "-c", "import sys; sys.exit(7)").result();
        assertEquals(7, r.exitCode());
        assertEquals(Optional.of(7), r.code());
        assertEquals(0, run("true").result().exitCode());
    }

    @Test
    void killedBySignalIs128PlusSignal() {
        RunResult r = run("python3", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)").result();
        assertEquals(143, r.exitCode());
        assertEquals(Optional.of(15), r.signal());
        RunResult k = run("sh", "-c", "kill -9 $$").result();
        assertEquals(137, k.exitCode());
    }

    @Test
    void commandNotFoundIs127() {
        SetupException e = assertThrows(SetupException.class, () -> run("no-such-command-here"));
        assertEquals(127, e.exitCode());
        assertTrue(e.getMessage().contains("no-such-command-here"), e.getMessage());
    }

    @Test
    void notExecutableIs126() {
        Harness.Run run = run("./not-executable.sh");
        assertEquals(126, run.result().exitCode(), run.toString());
        assertEquals("exec", run.result().failure().orElseThrow().step());
    }

    /**
     * A plan the launcher accepts but the kernel refuses: an open-files limit above fs.nr_open.
     * The helper's rlimit step fails; exit 125 naming the step, the errno and the limit.
     */
    @Test
    void brokenPlanIs125WithTheStep() throws Exception {
        long nrOpen = Long.parseLong(java.nio.file.Files.readAllLines(Path.of("/proc/sys/fs/nr_open")).get(0).trim());
        Policy base = h.policy(Harness.appName("exit"), List.of("true"));
        Policy p = base.withRlimits(java.util.Map.of(Rlimit.NOFILE, RlimitValue.of(nrOpen + 1)));
        Harness.Run run = h.run(p);
        assertEquals(125, run.result().exitCode(), run.toString());
        var f = run.result().failure().orElseThrow();
        assertEquals("rlimit", f.step());
        assertEquals(Errno.EPERM, f.errno(), f.toString());
        assertTrue(f.message().contains("nofile"), f.message());
    }
}
