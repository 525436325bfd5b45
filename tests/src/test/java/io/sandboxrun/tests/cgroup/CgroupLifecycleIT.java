package io.sandboxrun.tests.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.launcher.cli.Main;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Freeze, thaw, kill, crash recovery and the tree's cleanliness, on real sandboxes. */
class CgroupLifecycleIT extends AppsUnderLimits {

    /** sandbox-run SUBCOMMAND ... in this JVM, as a user types it. */
    record Cli(int code, String out, String err) {}

    static Cli cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Test
    void freezeStopsProgressAndThawResumesIt() throws Exception {
        String a = app("freeze");
        Policy p = h.policy(a, List.of("python3", "-c",
                "import time\ni = 0\nwhile True:\n    i += 1\n    print(i, flush=True)\n    time.sleep(0.01)\n"));
        Instance i = Harness.runtime().launch(new LaunchSpec(p, Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        try {
            AtomicLong counter = new AtomicLong();
            CompletableFuture.runAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) counter.set(Long.parseLong(line.strip()));
                } catch (Exception e) {
                    // the instance ended
                }
            });
            waitFor(() -> counter.get() > 5, "the counter never started");

            i.freeze();
            Thread.sleep(100);   // lines already in the pipe drain
            long frozenAt = counter.get();
            Thread.sleep(500);
            assertEquals(frozenAt, counter.get(), "the counter advanced while frozen");
            Cli ps = cli("ps", a);
            assertEquals(0, ps.code(), ps.err());
            assertTrue(ps.out().contains(i.id()) && ps.out().contains("frozen"), ps.out());

            i.thaw();
            waitFor(() -> counter.get() > frozenAt + 10, "the counter did not resume after thaw");

            Cli freeze = cli("freeze", a + "/" + i.id());
            assertEquals(0, freeze.code(), freeze.err());
            assertEquals("frozen " + a + "/" + i.id(), freeze.out().strip());
            Cli thaw = cli("thaw", a);
            assertEquals(0, thaw.code(), thaw.err());
            long thawedAt = counter.get();
            waitFor(() -> counter.get() > thawedAt + 10, "the counter did not resume after the CLI's thaw");
        } finally {
            i.kill();
        }
        assertEquals(137, i.onExit().get(20, TimeUnit.SECONDS).exitCode());
    }

    @Test
    void killFromTheCliEndsEveryProcessOfAnInstanceThatForked() throws Exception {
        String a = app("kill");
        Policy p = h.policy(a, List.of("python3", "-c",
                "import os, time\nfor _ in range(5):\n    if os.fork() == 0:\n        time.sleep(120)\n        os._exit(0)\n"
                        + "print('ready', flush=True)\ntime.sleep(120)\n")).withSeccomp("default");
        Instance i = Harness.runtime().launch(new LaunchSpec(p, Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            List<Integer> pids = CgroupIT.open(a, i.id()).orElseThrow().pids();
            assertTrue(pids.size() >= 8, "helper (2), python and 5 children, got " + pids);

            Cli stats = cli("stats", a + "/" + i.id(), "--json");
            assertEquals(0, stats.code(), stats.err());
            assertTrue(stats.out().contains("\"pids\" : " + pids.size()), stats.out());

            Cli kill = cli("kill", a);
            assertEquals(0, kill.code(), kill.err());
            assertEquals("killed " + a + "/" + i.id(), kill.out().strip());
            RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
            assertEquals(137, r.exitCode(), r.toString());
            for (int pid : pids) CgroupLimitsIT.assertGone(pid);
            assertTrue(CgroupIT.open(a, i.id()).isEmpty(), "the instance cgroup is still there");

            Cli none = cli("kill", a);
            assertEquals(1, none.code());
            assertEquals("sandbox-run: no instance matches \"" + a + "\" (sandbox-run ps lists them)", none.err().strip());
            Cli bad = cli("stats", "a/b/c");
            assertEquals(2, bad.code());
            assertTrue(bad.err().startsWith("sandbox-run: TARGET: \"a/b/c\" is not APP or APP/INSTANCE"), bad.err());
        } finally {
            i.kill();
        }
    }

    @Test
    void aLauncherKilledMidRunIsCleanedUpByTheNextOne() throws Exception {
        String a = app("crash");
        Path state = h.newDir("crash-state");
        Process launcher = new ProcessBuilder(Harness.repo().resolve("bin/sandbox-run").toString(), "--app", a,
                "--app-root", h.appRoot.toString(), "--state-dir", state.toString(), "--",
                "python3", "-c", "import time; print('up', flush=True); time.sleep(300)")
                .redirectErrorStream(true).start();
        List<Integer> pids;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("up", out.readLine());
            CgroupDriver d = CgroupIT.driver();
            CgroupDriver.Listed listed = d.list().stream().filter(l -> l.path().app().equals(a)).findFirst().orElseThrow();
            assertEquals(launcher.pid(), listed.owner().pid());
            pids = d.open(listed.path()).orElseThrow().pids();
            assertFalse(pids.isEmpty());
            assertTrue(mounted(state), "the app's writable space is not mounted");
        } finally {
            launcher.destroyForcibly();   // SIGKILL: no cleanup code of the launcher runs
        }
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        for (int pid : pids) CgroupLimitsIT.assertGone(pid);   // the helper dies with its parent
        Cli ps = cli("ps", a);
        assertTrue(ps.out().contains("orphaned"), "the dead launcher's instance should show as orphaned: " + ps.out());

        // The next launcher, before its first instance, reaps what the dead one left.
        Process next = new ProcessBuilder(Harness.repo().resolve("bin/sandbox-run").toString(), "--app", app("next"),
                "--app-root", h.appRoot.toString(), "--state-dir", state.toString(), "--", "true")
                .redirectErrorStream(true).start();
        String log = new String(next.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(next.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, next.exitValue(), log);
        assertTrue(CgroupIT.driver().list().stream().noneMatch(l -> l.path().app().equals(a)), "orphaned cgroup left");
        assertFalse(mounted(state), "the dead launcher's writable space is still mounted");
    }

    @Test
    void gcReapsOrphansOnDemandAndLeavesLiveInstancesAlone() throws Exception {
        String a = app("gc");
        Path state = h.newDir("gc-state");
        Process launcher = new ProcessBuilder(Harness.repo().resolve("bin/sandbox-run").toString(), "--app", a,
                "--app-root", h.appRoot.toString(), "--state-dir", state.toString(), "--",
                "python3", "-c", "import time; print('up', flush=True); time.sleep(300)")
                .redirectErrorStream(true).start();
        String live = app("gc-live");
        Instance mine = Harness.runtime().launch(new LaunchSpec(h.policy(live, List.of("sleep", "60")),
                Stdio.NULL, Stdio.NULL, Stdio.NULL));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("up", out.readLine());
        } finally {
            launcher.destroyForcibly();
        }
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        Cli gc = cli("gc", "--state-dir", state.toString());
        assertEquals(0, gc.code(), gc.err());
        assertTrue(gc.out().contains("recovered " + a + "/"), gc.out());
        assertTrue(gc.out().contains("unmounted the unused writable space"), gc.out());
        assertFalse(mounted(state));
        assertTrue(CgroupIT.driver().list().stream().noneMatch(l -> l.path().app().equals(a)));
        assertTrue(CgroupIT.open(live, mine.id()).isPresent(), "gc touched a live launcher's instance");
        assertTrue(mine.stats().isPresent());
        mine.kill();
        mine.onExit().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aHundredInstancesLeaveTheTreeAsItWas() throws Exception {
        String a = app("hundred");
        h.run(h.policy(app("warm"), List.of("true")));   // the root exists from here on
        TreeSet<String> before = CgroupIT.tree();
        List<Instance> running = new ArrayList<>();
        for (int n = 0; n < 100; n++) {
            running.add(Harness.runtime().launch(new LaunchSpec(h.policy(a, List.of("true")), Stdio.NULL, Stdio.NULL,
                    Stdio.NULL)));
        }
        for (Instance i : running) assertEquals(0, i.onExit().get(60, TimeUnit.SECONDS).exitCode());
        assertEquals(before, CgroupIT.tree());
    }

    private static boolean mounted(Path state) throws Exception {
        String below = state.toRealPath() + "/";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].startsWith(below));
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what);
            Thread.sleep(10);
        }
    }
}
