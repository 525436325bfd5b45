package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Piped stdio: what the caller writes arrives, and closing stdin is EOF for the app. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class StdioIT {
    static Harness h;

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    private static String readLink(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.readSymbolicLink(p).toString();
        } catch (java.io.IOException gone) {
            return "?";
        }
    }

    /**
     * Several instances with piped stdin at once: no helper may inherit another instance's (or its
     * own) write end of a stdin pipe, or `cat` would never see EOF and never exit.
     */
    @Test
    void closingStdinIsEndOfFileForEveryInstance() throws Exception {
        List<Instance> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(Harness.runtime().launch(new LaunchSpec(h.policy(Harness.appName("cat"), List.of("cat")),
                    Stdio.PIPE, Stdio.PIPE, Stdio.NULL)));
        }
        for (int i = 0; i < running.size(); i++) {
            Instance cat = running.get(i);
            OutputStream in = cat.stdin().orElseThrow();
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(cat.stdout().orElseThrow(), StandardCharsets.UTF_8));
            in.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertEquals("line " + i, out.readLine());   // cat runs: the helper's setup is over
            // The helper holds stdio, its signalfd, the log pipe and its sync pipe: nothing of the JVM's.
            List<String> fds = new ArrayList<>();
            try (var list = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + cat.pid() + "/fd"))) {
                list.forEach(f -> fds.add(f.getFileName() + "->" + readLink(f)));
            }
            assertTrue(fds.size() <= 7, "sandbox-init holds descriptors it was not given: " + fds);
            in.close();
            assertEquals(null, out.readLine());
            assertEquals(0, cat.onExit().get(20, TimeUnit.SECONDS).exitCode());
        }
    }
}
