package io.sandboxrun.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.ListenAddress;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.launcher.SandboxRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Launches real sandboxes for the integration tests: one runtime per JVM, a state directory and
 * app roots per test class, all removed afterwards (even when a test fails).
 */
public final class Harness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SandboxRuntime runtime;

    public final Path stateDir = TestDirs.create("state");
    public final Path appRoot = TestDirs.create("app");
    private final List<Path> extraDirs = new ArrayList<>();

    public Harness() {
        copyProbes(appRoot);
    }

    /** The shared runtime (the helper comes from -Dsandbox.helper, set by the build). */
    public static synchronized SandboxRuntime runtime() {
        if (runtime == null) {
            runtime = SandboxRuntime.create();
            Runtime.getRuntime().addShutdownHook(new Thread(runtime::close));
        }
        return runtime;
    }

    /** The repository root (set by the build as -Dsandbox.repo). */
    public static Path repo() {
        return Path.of(System.getProperty("sandbox.repo", "..")).toAbsolutePath().normalize();
    }

    public Path newDir(String purpose) {
        Path d = TestDirs.create(purpose);
        extraDirs.add(d);
        return d;
    }

    /** A policy with the embedded defaults' shape: app root here, a small writable space. */
    public Policy policy(String app, List<String> command) {
        return policy(app, appRoot, command, LandlockMode.BEST_EFFORT, 8L << 20, List.of(), List.of(), Map.of());
    }

    public Policy policy(String app, Path root, List<String> command, LandlockMode landlock, long tmpSize,
                         List<ListenAddress> listen, List<Path> roBinds, Map<String, String> env) {
        return PolicyDefaults.embedded(root).with("app", app).withCommand(command).with("env", env)
                .with("tmp-size", tmpSize).withLandlock(landlock).with("listen", listen).with("ro-binds", roBinds)
                .with("state-dir", stateDir);
    }

    /** What a finished run printed and how it ended. */
    public record Run(RunResult result, String stdout, String stderr) {
        /** The JSON lines the probes printed. */
        public List<JsonNode> probes() {
            List<JsonNode> out = new ArrayList<>();
            for (String line : stdout.split("\n")) {
                if (line.startsWith("{")) {
                    try {
                        out.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            return out;
        }

        public JsonNode probe() {
            List<JsonNode> p = probes();
            if (p.size() != 1) throw new AssertionError("expected one probe line, got: " + stdout + "\nstderr: " + stderr);
            return p.get(0);
        }

        @Override
        public String toString() {
            return "exit=" + result.exitCode() + " failure=" + result.failure() + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /** Runs to the end (60 s at most) with stdout and stderr captured. */
    public Run run(Policy policy) {
        Instance i = runtime().launch(new LaunchSpec(policy, Stdio.NULL, Stdio.PIPE, Stdio.PIPE));
        return await(i);
    }

    public static Run await(Instance i) {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(i.stdout().orElseThrow()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(i.stderr().orElseThrow()));
        try {
            RunResult r = i.onExit().get(60, TimeUnit.SECONDS);
            return new Run(r, out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            i.kill();
            throw new AssertionError("sandbox did not finish: " + e, e);
        }
    }

    /** Runs probe.py NAME ARGS in a sandbox built from {@code policy}'s settings. */
    public Run probe(Policy base, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "probe.py"));
        cmd.addAll(List.of(args));
        return run(base.withCommand(cmd));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyProbes(Path dir) {
        try {
            Path src = repo().resolve("tests/src/test/probes/probe.py");
            Files.copy(src, dir.resolve("probe.py"), StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(dir.resolve("probe.py"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A unique, valid app name for one test. */
    public static String appName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public void close() {
        TestDirs.delete(appRoot);
        extraDirs.forEach(TestDirs::delete);
        unmountBelow(stateDir);
        TestDirs.delete(stateDir);
    }

    /** Detaches any mount a failed test left under {@code dir}, so the directory can go. */
    static void unmountBelow(Path dir) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mountPoint = line.split(" ")[4].replace("\\040", " ");
                if (mountPoint.startsWith(dir.toString() + "/")) {
                    System.err.println("test left a mount behind, detaching: " + mountPoint);
                    io.sandboxrun.core.linux.Mount.unmount(Path.of(mountPoint), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
