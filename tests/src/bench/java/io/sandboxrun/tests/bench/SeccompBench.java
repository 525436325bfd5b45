package io.sandboxrun.tests.bench;

import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.compile.BpfCompiler;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.CompiledFilter;
import io.sandboxrun.seccomp.compile.FilterCache;
import io.sandboxrun.tests.Harness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seccomp costs on the launcher's side (tests/bench/seccomp.sh): compiling each bundled profile
 * cold (a fresh JVM's first compile, and compiles in a warm JVM with the cache cleared) against
 * {@link FilterCache} hits; and, when {@code -Dbench.filterLoop} names a static filter-loop
 * binary, the round trip of a refused syscall answered by a warm runtime's notification loop.
 * Prints figures; asserts nothing about speed.
 *
 * <p>Profiles are compiled as a launch compiles them: binary tree, refusals notified, the
 * listener hand-over on fd 5 ({@code --listen} not used).
 */
public final class SeccompBench {
    static final List<String> PROFILES = ProfileLoader.BUNDLED;
    static final int COMPILES = Integer.getInteger("bench.compiles", 50);
    static final int FRESH_JVMS = Integer.getInteger("bench.freshJvms", 5);
    static final int NOTIFY_CALLS = Integer.getInteger("bench.notifyCalls", 20000);
    static final int NOTIFY_RUNS = Integer.getInteger("bench.notifyRuns", 5);
    static final CompileOptions LAUNCH = new CompileOptions(true, CompileOptions.Mode.NOTIFY_DENIALS, 5);

    public static void main(String[] args) {
        int status = 0;
        try {
            if (args.length == 2 && args[0].equals("--first")) {
                first(args[1]);
            } else {
                compile();
                String loop = System.getProperty("bench.filterLoop", "");
                if (!loop.isEmpty()) notifyRoundTrip(Path.of(loop));
            }
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);   // the runtime's threads would keep the JVM alive; its shutdown hook closes it
    }

    /** In a fresh JVM: load and compile one bundled profile, print "LOAD_NS COMPILE_NS". */
    static void first(String name) {
        long t0 = System.nanoTime();
        Profile p = ProfileLoader.bundled(name);
        long t1 = System.nanoTime();
        FilterCache.shared().get(p, LAUNCH);
        long t2 = System.nanoTime();
        System.out.println((t1 - t0) + " " + (t2 - t1));
    }

    static void compile() throws Exception {
        System.out.printf("seccomp profile compile (as a launch: binary tree, NOTIFY_DENIALS), µs%n");
        System.out.printf("%-8s %6s | %10s %10s | %11s %8s | %9s %10s | %11s | %7s%n", "profile", "instrs",
                "fresh load", "fresh comp", "warm median", "warm min", "hit (ns)", "hit reread", "no cache",
                "x hit");
        for (String name : PROFILES) {
            // 1. A fresh JVM's first compile (libseccomp loaded through JNA, classes loaded, code cold),
            //    with bin/sandbox-run's JVM flags; JVM start-up itself is outside the figure.
            double[] freshLoad = new double[FRESH_JVMS], freshCompile = new double[FRESH_JVMS];
            for (int i = 0; i < FRESH_JVMS; i++) {
                String[] f = freshJvm(name).trim().split(" ");
                freshLoad[i] = Long.parseLong(f[0]) / 1e3;
                freshCompile[i] = Long.parseLong(f[1]) / 1e3;
            }
            // 2. Warm JVM, cache cleared before each compile.
            Profile p = ProfileLoader.bundled(name);
            FilterCache cache = FilterCache.shared();
            CompiledFilter f = null;
            for (int i = 0; i < 10; i++) {
                cache.clear();
                f = cache.get(p, LAUNCH);
            }
            double[] warm = new double[COMPILES];
            for (int i = 0; i < COMPILES; i++) {
                cache.clear();
                long t0 = System.nanoTime();
                cache.get(p, LAUNCH);
                warm[i] = (System.nanoTime() - t0) / 1e3;
            }
            // The compiler alone, without the cache's hashing.
            double[] direct = new double[COMPILES];
            for (int i = 0; i < COMPILES; i++) {
                long t0 = System.nanoTime();
                BpfCompiler.compile(p, LAUNCH);
                direct[i] = (System.nanoTime() - t0) / 1e3;
            }
            // 3. Hits: the same profile object (a bundled one: a map lookup), in batches of 1000.
            double[] hits = new double[200];
            for (int i = 0; i < 200_000; i++) cache.get(p, LAUNCH);   // warm-up: the lookup path compiled
            for (int b = 0; b < hits.length; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 1000; i++) cache.get(p, LAUNCH);
                hits[b] = (System.nanoTime() - t0) / 1000.0;   // ns per lookup
            }
            // 4. Hits for a profile read afresh (as --seccomp FILE is on every launch): its content is hashed.
            String json = resource("/io/sandboxrun/seccomp/profiles/" + name + ".json");
            double[] reread = new double[COMPILES];
            for (int i = 0; i < COMPILES; i++) {
                Profile again = ProfileLoader.parse(json, name + ".json");
                long t0 = System.nanoTime();
                cache.get(again, LAUNCH);
                reread[i] = (System.nanoTime() - t0) / 1e3;
            }
            System.out.printf("%-8s %6d | %10.0f %10.0f | %11.0f %8.0f | %9.0f %10.1f | %11.0f | %7.0f%n", name,
                    f.instructions(), median(freshLoad), median(freshCompile), median(warm), min(warm), median(hits),
                    median(reread), median(direct), median(warm) * 1e3 / median(hits));
        }
        System.out.printf("µs unless marked. fresh: median of %d fresh JVMs (bin/sandbox-run's flags, no AppCDS):"
                + " first load (JSON, names resolved through libseccomp: JNA and libseccomp load here) and first"
                + " compile;%nwarm: %d FilterCache.get with the cache cleared before each; hit: the same profile"
                + " object (a bundled one), per lookup; hit reread: a profile parsed afresh, as --seccomp FILE is"
                + " (its content is hashed);%nno cache: BpfCompiler.compile alone; x hit: warm median / hit%n",
                FRESH_JVMS, COMPILES);
    }

    static String freshJvm(String profile) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SeccompBench.class.getName(), "--first", profile);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("fresh JVM failed: " + out);
        }
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /**
     * A refused syscall's round trip through a warm runtime: filter-loop in the sandbox calls
     * chroot(bad pointer) N times under default (refused, so notified and answered EPERM by the
     * launcher), against clone3 (ENOSYS, refused in the kernel) and getppid (allowed).
     */
    static void notifyRoundTrip(Path filterLoop) throws Exception {
        try (Harness h = new Harness()) {
            Path bin = h.appRoot.resolve("filter-loop");
            Files.copy(filterLoop, bin, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            loop(h, "chroot", 2000);   // warm-up: the loop's code paths compiled by C2
            loop(h, "chroot", 2000);
            double[] notified = new double[NOTIFY_RUNS], kernel = new double[NOTIFY_RUNS], allowed = new double[NOTIFY_RUNS];
            for (int i = 0; i < NOTIFY_RUNS; i++) {
                notified[i] = loop(h, "chroot", NOTIFY_CALLS);
                kernel[i] = loop(h, "clone3", 1_000_000);
                allowed[i] = loop(h, "getppid", 1_000_000);
            }
            System.out.printf("%nrefused syscall in a sandbox (profile default), warm SandboxRuntime, median of %d runs%n",
                    NOTIFY_RUNS);
            System.out.printf("%-44s %12s %19s%n", "", "per call", "min-max");
            System.out.printf("%-44s %9.2f µs %8.2f-%6.2f µs%n", "chroot: notified, answered EPERM by the loop",
                    median(notified) / 1e3, min(notified) / 1e3, max(notified) / 1e3);
            System.out.printf("%-44s %9.0f ns%n", "clone3: ENOSYS in the kernel", median(kernel));
            System.out.printf("%-44s %9.0f ns%n", "getppid: allowed", median(allowed));
            System.out.printf("ratio notified/in-kernel refusal: %.0fx%n", median(notified) / median(kernel));
        }
    }

    private static final Pattern NS = Pattern.compile("\"ns_per_call\":([0-9.]+),\"errno\":(null|\"[A-Z]+\")");

    /** One sandboxed filter-loop run: ns per call. */
    static double loop(Harness h, String syscall, int n) throws Exception {
        Instance i = Harness.runtime().launch(new LaunchSpec(h.policy("seccomp-bench",
                List.of("./filter-loop", "-", Integer.toString(n), syscall)).withSeccomp("default"),
                Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        String out;
        try (InputStream in = i.stdout().orElseThrow()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        RunResult r = i.onExit().get(120, TimeUnit.SECONDS);
        Matcher m = NS.matcher(out);
        if (!r.succeeded() || !m.find()) throw new IllegalStateException("filter-loop failed: " + r + " " + out);
        String expected = switch (syscall) {
            case "chroot" -> "\"EPERM\"";
            case "clone3" -> "\"ENOSYS\"";
            default -> "null";
        };
        if (!m.group(2).equals(expected)) throw new IllegalStateException(syscall + " answered " + m.group(2) + ": " + out);
        return Double.parseDouble(m.group(1));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = SeccompBench.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("no resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    private SeccompBench() {}
}
