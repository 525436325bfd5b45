package io.sandboxrun.tests.bench;

import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.policy.CgroupPolicy;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.launcher.SandboxRuntime;
import io.sandboxrun.tests.Harness;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Launch latency of {@code /bin/true} on a warm {@link SandboxRuntime}, against bubblewrap with
 * the same walls and a plain ProcessBuilder spawn as the floor. Prints figures; asserts nothing
 * about speed (a failed launch is an error, a slow one is not).
 *
 * <p>Each sample runs from {@code launch()} (or {@code ProcessBuilder.start()}) to exit seen by
 * the caller. The bwrap and floor figures include the JDK's own spawn (posix_spawn through
 * jspawnhelper); ours include the runtime's posix_spawn of sandbox-init and the release of the
 * app's writable space.
 */
public final class LaunchLatencyBench {
    static final int WARMUP = Integer.getInteger("bench.warmup", 20);
    static final int RUNS = Integer.getInteger("bench.runs", 200);
    static final int CONCURRENT = Integer.getInteger("bench.concurrent", 50);

    public static void main(String[] args) {
        int status = 0;
        try {
            run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);   // the runtime's threads would keep the JVM alive; its shutdown hook closes it
    }

    static void run() throws Exception {
        try (Harness h = new Harness()) {
            SandboxRuntime runtime = Harness.runtime();
            Policy policy = h.policy("bench", List.of("/bin/true"));
            LaunchSpec spec = new LaunchSpec(policy, Stdio.NULL, Stdio.NULL, Stdio.NULL);
            // The same launch without its cgroup: what creating, limiting, joining and removing it costs.
            LaunchSpec noCgroup = new LaunchSpec(h.policy("bench-nocg", List.of("/bin/true")).withCgroup(
                    new CgroupPolicy(CgroupPolicy.Mode.OFF, null)), Stdio.NULL, Stdio.NULL, Stdio.NULL);
            // And without its cgroup and without the socket proxy (outbound: none): what the proxy costs.
            LaunchSpec noProxy = new LaunchSpec(h.policy("bench-noproxy", List.of("/bin/true")).withCgroup(
                    new CgroupPolicy(CgroupPolicy.Mode.OFF, null)).withNetwork(
                    PolicyDefaults.network().withOutbound(NetworkPolicy.Outbound.NONE)), Stdio.NULL, Stdio.NULL, Stdio.NULL);
            List<String> bwrap = bwrapArgv(h.appRoot.toString());
            List<String> floor = List.of("/bin/true");

            for (int i = 0; i < WARMUP; i++) {
                ours(runtime, spec, null);
                ours(runtime, noCgroup, null);
                ours(runtime, noProxy, null);
                spawn(bwrap);
                spawn(floor);
            }
            // Interleaved so that drift (other load, page cache) hits all three alike.
            double[] sr = new double[RUNS], srLaunch = new double[RUNS], bw = new double[RUNS], pb = new double[RUNS];
            double[] off = new double[RUNS], offNoProxy = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                double[] split = new double[1];
                sr[i] = ours(runtime, spec, split);
                srLaunch[i] = split[0];
                off[i] = ours(runtime, noCgroup, null);
                offNoProxy[i] = ours(runtime, noProxy, null);
                bw[i] = spawn(bwrap);
                pb[i] = spawn(floor);
            }
            double[] srRest = new double[RUNS];
            for (int i = 0; i < RUNS; i++) srRest[i] = sr[i] - srLaunch[i];

            System.out.printf("launch latency, /bin/true, %d sequential runs after %d warm-up, ms%n", RUNS, WARMUP);
            System.out.printf("%-34s %8s %8s %8s %8s %8s%n", "", "min", "median", "p90", "p99", "max");
            row("sandbox-run launch()->onExit()", sr);
            row("  launch() returns (plan+spawn)", srLaunch);
            row("  rest (helper setup+exec+exit)", srRest);
            row("sandbox-run, cgroup: off", off);
            row("  and outbound: none (no proxy)", offNoProxy);
            row("bwrap start()->waitFor()", bw);
            row("ProcessBuilder /bin/true (floor)", pb);
            System.out.printf("ratio sandbox-run/bwrap: median %.2f, p90 %.2f%n",
                    pct(sr, 50) / pct(bw, 50), pct(sr, 90) / pct(bw, 90));
            System.out.printf("cgroups on/off: median %.2f ms vs %.2f ms (+%.2f ms)%n",
                    pct(sr, 50), pct(off, 50), pct(sr, 50) - pct(off, 50));
            System.out.printf("socket proxy on/off (cgroup off): median %.2f ms vs %.2f ms (+%.2f ms)%n",
                    pct(off, 50), pct(offNoProxy, 50), pct(off, 50) - pct(offNoProxy, 50));
            System.out.printf("above floor, median: sandbox-run +%.2f ms, bwrap +%.2f ms%n",
                    pct(sr, 50) - pct(pb, 50), pct(bw, 50) - pct(pb, 50));

            // 50 instances of one app share its limits: with the default 1 CPU the helpers' own setup
            // is held to it too; lifted, the row shows the launch path alone.
            LaunchSpec lifted = new LaunchSpec(policy.with("limits.memory", Limits.UNLIMITED)
                    .with("limits.cpus", Limits.CPU_UNLIMITED).with("limits.pids", Limits.UNLIMITED),
                    Stdio.NULL, Stdio.NULL, Stdio.NULL);
            concurrent(runtime, spec, lifted, bwrap);
        }
    }

    /** {@code n} launches at once, to the last exit, in ms. */
    static double together(SandboxRuntime runtime, LaunchSpec spec, int n) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<RunResult>> exits = new ArrayList<>();
        for (int i = 0; i < n; i++) exits.add(runtime.launch(spec).onExit());
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double ms = ms(System.nanoTime() - t0);
        for (CompletableFuture<RunResult> e : exits) check(e.join());
        return ms;
    }

    /** One launch to exit, in ms; {@code split[0]} gets the time until launch() returned. */
    static double ours(SandboxRuntime runtime, LaunchSpec spec, double[] split) throws Exception {
        long t0 = System.nanoTime();
        Instance i = runtime.launch(spec);
        long t1 = System.nanoTime();
        check(i.onExit().get(30, TimeUnit.SECONDS));
        long t2 = System.nanoTime();
        if (split != null) split[0] = ms(t1 - t0);
        return ms(t2 - t0);
    }

    static double spawn(List<String> argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        long t1 = System.nanoTime();
        if (rc != 0) throw new IllegalStateException(argv.get(0) + " exited " + rc);
        return ms(t1 - t0);
    }

    static void concurrent(SandboxRuntime runtime, LaunchSpec spec, LaunchSpec lifted, List<String> bwrap)
            throws Exception {
        int n = CONCURRENT;
        double ours = together(runtime, spec, n);
        double oursLifted = together(runtime, lifted, n);

        long t0 = System.nanoTime();
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            procs.add(new ProcessBuilder(bwrap).redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : procs) {
            if (p.waitFor() != 0) throw new IllegalStateException("bwrap exited " + p.exitValue());
        }
        double bw = ms(System.nanoTime() - t0);

        System.out.printf("%nconcurrent: %d instances launched at once, wait for all, ms%n", n);
        System.out.printf("%-34s %8s %12s%n", "", "total", "per-instance");
        System.out.printf("%-34s %8.1f %12.2f%n", "sandbox-run (one app, defaults)", ours, ours / n);
        System.out.printf("%-34s %8.1f %12.2f%n", "sandbox-run, limits max", oursLifted, oursLifted / n);
        System.out.printf("%-34s %8.1f %12.2f%n", "bwrap", bw, bw / n);
        System.out.printf("ratio sandbox-run/bwrap: %.2f (limits max: %.2f)%n", ours / bw, oursLifted / bw);
    }

    static List<String> bwrapArgv(String appRoot) {
        return List.of("bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
                "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache", "--proc", "/proc", "--dev", "/dev",
                "--tmpfs", "/tmp", "--ro-bind", appRoot, "/app", "--chdir", "/app", "/bin/true");
    }

    static void check(RunResult r) {
        if (!r.succeeded()) throw new IllegalStateException("sandbox launch failed: exit " + r.exitCode() + " " + r.failure());
    }

    static void row(String name, double[] xs) {
        System.out.printf("%-34s %8.2f %8.2f %8.2f %8.2f %8.2f%n", name,
                pct(xs, 0), pct(xs, 50), pct(xs, 90), pct(xs, 99), pct(xs, 100));
    }

    /** Nearest-rank percentile. */
    static double pct(double[] xs, double p) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    private LaunchLatencyBench() {}
}
