package io.sandboxrun.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code sandbox-run} command as a user runs it: bin/sandbox-run in a separate process. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class CliIT {
    static final Path CORPUS = Harness.repo().resolve("sandbox-core/src/test/resources/policies/bad");
    static Harness h;

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    record Result(int code, String out, String err) {}

    static ProcessBuilder cli(Path cwd, String... args) {
        return cli(h, cwd, args);
    }

    /** bin/sandbox-run with {@code args} in {@code cwd}, its state under {@code h}'s. */
    static ProcessBuilder cli(Harness h, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Harness.repo().resolve("bin/sandbox-run").toString());
        if (args.length > 0 && args[0].startsWith("--") && !args[0].equals("--help") && !List.of(args).contains("--state-dir")) {
            // The test's own state dir: a launcher killed by a test leaves its mount where the harness removes it.
            cmd.addAll(List.of("--state-dir", h.stateDir.toString()));
        }
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(cwd.toFile());
    }

    static Result run(Path cwd, String... args) throws Exception {
        return run(h, cwd, args);
    }

    static Result run(Harness h, Path cwd, String... args) throws Exception {
        Process p = cli(h, cwd, args).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();   // not left running after the test: SIGKILL, then its cgroups go with removeApps
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("sandbox-run " + String.join(" ", args) + " did not finish within 60 s; killed it");
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    /**
     * After a test's launchers are gone (e.g. SIGKILLed when it failed): {@code sandbox-run kill APP}
     * kills and removes the instances each of {@code apps} left, the orphaned cgroups included. Only
     * these apps, the test's own: never another's cgroup (as {@code gc} would reap every orphan).
     * What it cannot remove is printed (a host without cgroups has none to remove).
     */
    static void removeApps(Harness h, java.util.Collection<String> apps) throws Exception {
        for (String app : apps) {
            Result r = run(h, h.appRoot, "kill", app);
            if (r.code() == 0) System.err.println("test left instances of " + app + " behind: " + r.out().strip());
            else if (!r.err().contains("no instance matches")) System.err.println("cannot remove " + app + ": " + r.err());
        }
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runsACommandAndMirrorsItsExitCodeAndWritesTheResult() throws Exception {
        Path result = h.newDir("result").resolve("result.json");
        Result r = run(h.appRoot, "--app", Harness.appName("cli"), "--tmp-size", "8M", "--result-json", result.toString(),
                "--", "python3", "-c", "import os, sys; print('inside', os.getcwd(), os.getuid()); sys.exit(5)");
        assertEquals(5, r.code(), r.err());
        assertEquals("inside /app 1000\n", r.out());
        JsonNode json = new ObjectMapper().readTree(result.toFile());
        assertEquals(5, json.get("exit_code").asInt());
        assertEquals(5, json.get("code").asInt());
        assertTrue(json.get("signal").isNull());
        assertEquals("enforced", json.at("/protections/landlock/status").asText());
        assertEquals("user,mount,pid,net,ipc,uts,cgroup", json.at("/protections/namespaces/detail").asText());
        assertTrue(json.get("failure").isNull());
    }

    @Test
    void notFoundIs127WithAMessage() throws Exception {
        Result r = run(h.appRoot, "--", "no-such-command-xyz");
        assertEquals(127, r.code(), r.err());
        assertTrue(r.err().contains("command not found: \"no-such-command-xyz\""), r.err());
    }

    @Test
    void helpListsTheExitCodes() throws Exception {
        Result r = run(h.appRoot, "--help");
        assertEquals(0, r.code());
        for (String s : List.of("125", "126", "127", "128+N", "--listen", "--result-json", "--policy", "--tmp-size")) {
            assertTrue(r.out().contains(s), "help lacks " + s + ":\n" + r.out());
        }
    }

    @Test
    void doctorSaysHybridCgroupsHere() throws Exception {
        Result r = run(h.appRoot, "doctor");
        assertEquals(0, r.code(), r.out() + r.err());
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        if (mountinfo.contains(" - cgroup ") && mountinfo.contains(" - cgroup2 ")) {
            assertTrue(r.out().contains("hybrid cgroups"), r.out());
        }
        assertTrue(r.out().contains("landlock:") && r.out().contains("user namespaces:"), r.out());
    }

    /** A launcher that ends leaves no cgroup behind: not the instance's, not the app's, not the root it made. */
    @Test
    void aFinishedRunLeavesNoCgroupRoot() throws Exception {
        String root = "/sandbox-run-cli-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Path pids = Path.of("/sys/fs/cgroup/pids" + root), unified = Path.of("/sys/fs/cgroup/unified" + root);
        try {
            Result r = run(h.appRoot, "--app-root", h.appRoot.toString(), "--cgroup", "required", "--cgroup-root", root,
                    "--state-dir", h.stateDir.toString(), "--", "/bin/true");
            assertEquals(0, r.code(), r.out() + r.err());
            assertFalse(Files.exists(pids), "the pids root " + pids + " is gone");
            assertFalse(Files.exists(unified), "the cgroup2 root " + unified + " is gone");
        } finally {
            // Whatever a failed run left, in every hierarchy (the test made this root name up).
            try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path p : hierarchies.map(x -> Path.of(x + root)).filter(Files::isDirectory).toList()) {
                    io.sandboxrun.core.linux.Dirs.rmdir(p.toString());
                }
            }
        }
    }

    static Stream<String> corpus() throws IOException {
        try (Stream<Path> s = Files.list(CORPUS)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".expected")).sorted().toList().stream();
        }
    }

    /** Every broken policy: exit 2, the exact message, and nothing created (no mount, no state). */
    @ParameterizedTest
    @MethodSource("corpus")
    void badPolicyFilesExit2WithTheirExactMessage(String name) throws Exception {
        String expected = Files.readString(CORPUS.resolve(name + ".expected")).strip();
        Path state = h.newDir("corpus-state");
        Result r = run(CORPUS, "--policy", name, "--state-dir", state.toString());   // no command: the file's errors first
        assertEquals(2, r.code(), r.err());
        assertEquals("sandbox-run: " + expected, r.err().strip());
        assertEquals("", r.out());
        assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().noneMatch(l -> l.contains(state.toString())));
        assertEquals(List.of(), listing(state));
    }

    @Test
    void badOptionsExit2NamingTheOption() throws Exception {
        Result r = run(h.appRoot, "--tmp-size", "12Q", "--", "true");
        assertEquals(2, r.code());
        assertEquals("sandbox-run: --tmp-size: \"12Q\" is not a size; use a number with K, M or G (e.g. 256M)", r.err().strip());
        Result u = run(h.appRoot, "--no-such-option", "--", "true");
        assertEquals(2, u.code());
        assertTrue(u.err().startsWith("Unknown option: '--no-such-option'"), u.err());
    }

    /** An app root like mktemp -d makes it (0700, root's): a usage error before anything is created. */
    @Test
    void anAppRootTheAppCannotEnterExits2WithTheFix() throws Exception {
        Path closed = h.newDir("closed-root");
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path state = h.newDir("closed-state");
        Result r = run(h.appRoot, "--app-root", closed.toString(), "--state-dir", state.toString(), "--", "true");
        assertEquals(2, r.code(), r.err());
        assertEquals("sandbox-run: --app-root: \"" + closed + "\" (mode 0700, owner root(0), group root(0)) cannot be"
                + " entered by the app: it runs as uid 1000 inside, which is host uid 201000 (user.host-id-base 200000 +"
                + " user.uid 1000) with gid 201000, and the mode gives it the others' bits ---, without search (x)"
                + " permission; let it in, e.g. chmod a+rX " + closed, r.err().strip());
        assertEquals(List.of(), listing(state));
    }

    /** Options and policy values the kernel would refuse or misread are usage errors naming them. */
    @Test
    void pathsWithDotDotAndOversizedVariablesExit2() throws Exception {
        Result dots = run(h.appRoot, "--state-dir", "/run/../proc", "--", "true");
        assertEquals(2, dots.code(), dots.err());
        assertEquals("sandbox-run: --state-dir: \"/run/../proc\" has a \"..\" component, which leads to /proc; write the"
                + " path without \"..\" components", dots.err().strip());
        Result bind = run(h.appRoot, "--ro-bind", "/usr/lib/../../etc", "--", "true");
        assertEquals(2, bind.code(), bind.err());
        assertEquals("sandbox-run: --ro-bind: \"/usr/lib/../../etc\" has a \"..\" component, which leads to /etc; write the"
                + " path without \"..\" components", bind.err().strip());

        Path dir = h.newDir("big-env");
        Files.writeString(dir.resolve("big.yaml"), "command: [\"true\"]\nenv:\n  BIG: \"" + "x".repeat(200 * 1024) + "\"\n");
        Result big = run(dir, "--policy", "big.yaml", "--app-root", h.appRoot.toString());
        assertEquals(2, big.code(), big.err());
        assertEquals("sandbox-run: big.yaml:3:8: env.BIG: BIG=VALUE is 204805 bytes with its NUL; the kernel takes at most"
                + " 131072 bytes (MAX_ARG_STRLEN) for each environment string, so the value may have at most 131067, and"
                + " execve would fail with E2BIG; pass large data in a file under the app root instead", big.err().strip());
    }

    /** SIGKILL to the host-side helper: exit 125 and a line naming it, not the app's 137. */
    @Test
    void aSupervisorKilledFromOutsideExits125SayingSo() throws Exception {
        Path result = h.newDir("sup-result").resolve("result.json");
        Process p = cli(h.appRoot, "--app", Harness.appName("cli"), "--result-json", result.toString(), "--", "sh", "-c",
                "echo ready; exec sleep 60").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        long helper = p.toHandle().children().filter(c -> c.info().command().orElse("").endsWith("/sandbox-init"))
                .findFirst().orElseThrow().pid();
        io.sandboxrun.core.linux.Signals.send((int) helper, io.sandboxrun.core.linux.Signals.SIGKILL);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String err = read(p.getErrorStream());
        assertEquals(125, p.exitValue(), err);
        assertTrue(err.contains("sandbox-run: cannot supervise sandbox for app \"") && err.contains("\": its supervisor"
                + " (sandbox-init, pid " + helper + ") was killed by signal 9, not by the launcher; the app was ended with"
                + " it, and how the app itself would have ended is unknown\n"), err);
        JsonNode json = new ObjectMapper().readTree(result.toFile());
        assertEquals(125, json.get("exit_code").asInt());
        assertTrue(json.get("signal").isNull(), json.toString());
        assertEquals("supervisor", json.get("failure").get("step").asText(), json.toString());
        assertEquals("supervisor-died", json.get("ended_by").asText(), json.toString());
    }

    /** SIGTERM to the launcher reaches the app, which exits its own way. */
    @Test
    void signalsToTheLauncherReachTheApp() throws Exception {
        TestDirs.write(h.appRoot, "trap.py", "import os, signal, time\n"
                + "signal.signal(signal.SIGTERM, lambda s, f: (os.write(1, b'got TERM\\n'), os._exit(42)))\n"
                + "print('ready', flush=True)\nfor _ in range(1200): time.sleep(0.05)\n", "rw-r--r--");
        Process p = cli(h.appRoot, "--app", Harness.appName("cli"), "--", "python3", "trap.py").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        // SIGTERM to the JVM (not Process.destroy(), which also closes our end of its stdout)
        io.sandboxrun.core.linux.Signals.send((int) p.pid(), io.sandboxrun.core.linux.Signals.SIGTERM);
        assertEquals("got TERM", out.readLine());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(42, p.exitValue());
    }

    /** SIGKILL to the launcher: the helper dies with it and takes the whole sandbox along. */
    @Test
    void killingTheLauncherKillsTheSandbox() throws Exception {
        Process p = cli(h.appRoot, "--app", Harness.appName("cli"), "--", "sh", "-c",
                "sleep 60 & echo ready; sleep 60").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        List<Long> tree = new ArrayList<>();
        p.toHandle().descendants().forEach(d -> tree.add(d.pid()));
        assertTrue(tree.size() >= 4, "launcher tree: " + tree);   // helper, init, sh, sleeps
        p.destroyForcibly();   // SIGKILL to the JVM
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline && tree.stream().anyMatch(CliIT::alive)) Thread.sleep(20);
        for (long pid : tree) assertFalse(alive(pid), "pid " + pid + " survived the launcher");
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(Path::toString).toList();
        }
    }

    static boolean alive(long pid) {
        // A zombie is dead for our purpose; /proc/PID/stat state 'Z'.
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }
}
