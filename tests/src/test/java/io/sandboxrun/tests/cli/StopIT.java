package io.sandboxrun.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.testing.RequirementsExtension;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.launcher.SandboxRuntime;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIGTERM to sandbox-run stops the app: SIGTERM to it, every process killed after --stop-timeout; each end said once. */
class StopIT {
    static Harness h;
    /** The launchers a test started, and the apps it named: whatever a failed test left is ended and removed. */
    final List<Process> launchers = new ArrayList<>();
    final List<String> apps = new ArrayList<>();

    /** bin/sandbox-run launches real sandboxes, and sandbox-run kill finds and kills them through their cgroups. */
    @BeforeAll
    static void setUp() {
        SandboxRuntime.registerCgroupProbe();
        RequirementsExtension.require(Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.CGROUP_LIMITS);
        h = new Harness();
    }

    @AfterAll
    static void tearDown() {
        if (h != null) h.close();
    }

    @AfterEach
    void stopLaunchers() throws Exception {
        for (Process p : launchers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        CliIT.removeApps(h, apps);
    }

    /** A new app name from {@code prefix}, its instances removed after the test. */
    String app(String prefix) {
        String a = Harness.appName(prefix);
        apps.add(a);
        return a;
    }

    /** Starts {@code pb}, its process killed after the test if still running. */
    Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        launchers.add(p);
        return p;
    }

    @Test
    void anAppThatIgnoresSigtermIsKilledAfterTheStopTimeout() throws Exception {
        TestDirs.write(h.appRoot, "stubborn.py", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                + "print('ready', flush=True)\ntime.sleep(600)\n", "rw-r--r--");
        Path json = h.newDir("result").resolve("r.json");
        Process p = start(CliIT.cli(h, h.appRoot, "--app", app("stop"), "--stop-timeout", "1s", "--result-json",
                json.toString(), "--", "python3", "stubborn.py"));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> CliIT.read(p.getErrorStream()));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        long t0 = System.nanoTime();
        Signals.send((int) p.pid(), Signals.SIGTERM);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertEquals(137, p.exitValue());
        assertTrue(seconds >= 1 && seconds < 5, "stopped after " + seconds + " s with a 1 s stop timeout");
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("stop-timeout", r.get("ended_by").asText(), r.toString());
        assertEquals("1s", r.get("ended_by_limit").asText());
        String e = err.get(5, TimeUnit.SECONDS);
        assertTrue(e.contains("did not exit within the stop timeout (1s) after SIGTERM, so every process was killed"), e);
    }

    @Test
    void aTimeLimitAndAnOperatorsKillAreSaidOnStderr() throws Exception {
        CliIT.Result r = CliIT.run(h, h.appRoot, "--app", app("tl"), "--time-limit", "1s", "--", "sleep", "600");
        assertEquals(143, r.code(), r.err());
        assertTrue(r.err().contains("reached its time limit (1s) and was stopped with SIGTERM"), r.err());

        String app = app("opkill");
        Process p = start(CliIT.cli(h, h.appRoot, "--app", app, "--", "sh", "-c", "echo ready; sleep 600"));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> CliIT.read(p.getErrorStream()));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        CliIT.Result kill = CliIT.run(h, h.appRoot, "kill", app);
        assertEquals(0, kill.code(), kill.err());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        String e = err.get(5, TimeUnit.SECONDS);
        assertTrue(e.contains("was killed by an operator or a caller (sandbox-run kill, or the API)"), e);
    }

    @Test
    void aSigtermDeliveredTwiceWithinASecondIsOneStopNotAKill() throws Exception {
        TestDirs.write(h.appRoot, "stubborn-twice.py", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                + "print('ready', flush=True)\ntime.sleep(600)\n", "rw-r--r--");
        Path json = h.newDir("result").resolve("r.json");
        Process p = start(CliIT.cli(h, h.appRoot, "--app", app("stop-twice"), "--stop-timeout", "2s",
                "--result-json", json.toString(), "--", "python3", "stubborn-twice.py"));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> CliIT.read(p.getErrorStream()));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        long t0 = System.nanoTime();
        // As timeout(1) does (its child, then its process group), as two deliveries the JVM sees apart.
        Signals.send((int) p.pid(), Signals.SIGTERM);
        Thread.sleep(100);
        Signals.send((int) p.pid(), Signals.SIGTERM);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;

        String e = err.get(5, TimeUnit.SECONDS);
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        assertEquals("stop-timeout", r.get("ended_by").asText(), r + "\n" + e);
        assertEquals("2s", r.get("ended_by_limit").asText());
        assertEquals(137, p.exitValue(), e);
        assertTrue(seconds >= 2, "killed after " + seconds + " s, before the 2 s stop timeout");
    }
}
