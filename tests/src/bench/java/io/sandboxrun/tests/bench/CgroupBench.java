package io.sandboxrun.tests.bench;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.cgroup.CgroupPath;
import io.sandboxrun.cgroup.Cgroups;
import io.sandboxrun.cgroup.Owner;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an instance cgroup costs per launch, in µs: create (with marks, in every hierarchy the
 * driver uses), write typical limits, remove; against the floor of a bare mkdir and rmdir of one
 * directory in each of those hierarchies (no marks, no limits). Asserts nothing about speed.
 */
public final class CgroupBench {
    static final int WARMUP = Integer.getInteger("bench.warmup", 50);
    static final int RUNS = Integer.getInteger("bench.runs", 500);

    public static void main(String[] args) {
        int status = 0;
        try {
            run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    static void run() throws Exception {
        CgroupDriver d = Cgroups.detect(null);
        System.out.println("driver: " + d.describe());
        Limits limits = Limits.none().withMemory(256L << 20).withCpuMillis(500).withPids(1024L);
        // One instance of the app lives throughout, as on a worker: the app cgroup stays, only the
        // instance's comes and goes (the common case); a lone instance also pays for the app's.
        CgroupPath keeper = new CgroupPath("bench-cg", "keeper");
        double[] create = new double[RUNS], apply = new double[RUNS], remove = new double[RUNS], lone = new double[RUNS],
                floor = new double[RUNS];
        try (CgroupHandle keep = d.create(keeper, Owner.self(keeper))) {
            keep.apply(limits, Limits.none());
            for (int i = -WARMUP; i < RUNS; i++) {
                CgroupPath p = new CgroupPath("bench-cg", "i" + (i + WARMUP));
                long t0 = System.nanoTime();
                CgroupHandle h = d.create(p, Owner.self(p));
                long t1 = System.nanoTime();
                h.apply(limits, Limits.none());
                long t2 = System.nanoTime();
                h.close();
                long t3 = System.nanoTime();
                CgroupPath alone = new CgroupPath("bench-lone", "i" + (i + WARMUP));
                long t4 = System.nanoTime();
                try (CgroupHandle l = d.create(alone, Owner.self(alone))) {
                    l.apply(limits, Limits.none());
                }
                long t5 = System.nanoTime();
                double f = bare(d.roots());
                if (i < 0) continue;
                create[i] = us(t1 - t0);
                apply[i] = us(t2 - t1);
                remove[i] = us(t3 - t2);
                lone[i] = us(t5 - t4);
                floor[i] = f;
            }
        }
        double[] total = new double[RUNS];
        for (int i = 0; i < RUNS; i++) total[i] = create[i] + apply[i] + remove[i];
        System.out.printf("instance cgroup per launch, %d runs after %d warm-up, µs, %d hierarchies%n", RUNS, WARMUP,
                d.roots().size());
        System.out.printf("%-44s %8s %8s %8s %8s%n", "", "min", "median", "p90", "p99");
        row("create + limits + remove (app cgroup kept)", total);
        row("  create (mkdir + marks)", create);
        row("  limits (memory, cpus, pids on the app)", apply);
        row("  remove (rmdir)", remove);
        row("a lone instance (app cgroup made and removed)", lone);
        row("floor: bare mkdir + rmdir per hierarchy", floor);
        System.out.printf("ratio to the floor, median: %.1f (kept app), %.1f (lone)%n",
                LaunchLatencyBench.pct(total, 50) / LaunchLatencyBench.pct(floor, 50),
                LaunchLatencyBench.pct(lone, 50) / LaunchLatencyBench.pct(floor, 50));
    }

    /** mkdir and rmdir of one unmarked directory below each root, µs. */
    static double bare(List<Path> roots) throws Exception {
        List<Path> made = new ArrayList<>();
        long t0 = System.nanoTime();
        for (Path r : roots) made.add(Files.createDirectory(r.resolve("bench-floor")));
        for (Path m : made) Files.delete(m);
        return us(System.nanoTime() - t0);
    }

    static void row(String name, double[] xs) {
        System.out.printf("%-44s %8.1f %8.1f %8.1f %8.1f%n", name, LaunchLatencyBench.pct(xs, 0),
                LaunchLatencyBench.pct(xs, 50), LaunchLatencyBench.pct(xs, 90), LaunchLatencyBench.pct(xs, 99));
    }

    static double us(long nanos) {
        return nanos / 1e3;
    }

    private CgroupBench() {}
}
