package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * cgroup v1, on hybrid and legacy hosts: limits through the v1 memory, cpu, pids and blkio
 * hierarchies. On a hybrid host the instance also joins the cgroup2 hierarchy, which offers
 * without any controller what v1 makes hard: {@code cgroup.kill} (one write ends the whole tree),
 * {@code cgroup.freeze}, {@code cgroup.events}, CPU time in {@code cpu.stat} and PSI. On a legacy
 * host freezing uses the v1 freezer and kill is freeze, SIGKILL each pid, thaw.
 */
public final class CgroupV1Driver implements CgroupDriver {
    private static final long WAIT_MS = 5000;

    private final CgroupLayout layout;
    private final CgroupTree tree;
    /** controller name -> its hierarchy, for the controllers this driver uses. */
    private final Map<String, Hierarchy> byController = new LinkedHashMap<>();
    private final Hierarchy unified;   // null on a legacy host

    CgroupV1Driver(CgroupLayout layout, CgroupFs fs, Map<Hierarchy, Path> roots) {
        this.layout = layout;
        this.unified = roots.keySet().stream().filter(Hierarchy::unified).findFirst().orElse(null);
        for (Hierarchy h : roots.keySet()) {
            for (String c : h.controllers()) byController.put(c, h);
        }
        Hierarchy primary = unified != null ? unified : roots.keySet().iterator().next();
        this.tree = new CgroupTree(fs, roots, primary);
    }

    /** The v1 controllers this driver joins: limits, and on a legacy host CPU time and the freezer. */
    static List<String> controllersFor(CgroupLayout layout) {
        return layout.unified() != null ? List.of("memory", "cpu", "pids", "blkio")
                : List.of("memory", "cpu", "cpuacct", "pids", "blkio", "freezer");
    }

    @Override public CgroupLayout layout() { return layout; }

    @Override public CgroupFs fs() { return tree.fs(); }

    @Override public List<Path> roots() { return List.copyOf(tree.roots().values()); }

    @Override public void removeEmptyRoots() { tree.removeEmptyRoots(); }

    @Override
    public java.util.Set<String> limitControllers() {
        java.util.Set<String> s = new java.util.TreeSet<>();
        byController.forEach((c, h) -> {
            if (h.unified()) return;
            if (c.equals("blkio")) s.add("io");
            else if (CgroupV2Driver.WANTED.contains(c)) s.add(c);
        });
        return s;
    }

    @Override
    public String describe() {
        String v1 = byController.entrySet().stream().filter(e -> !e.getValue().unified())
                .map(e -> e.getKey()).collect(Collectors.joining(","));
        return "cgroup v1 for limits (" + v1 + ")" + (unified != null
                ? "; cgroup2 at " + unified.mountPoint() + " for kill, freeze, events, CPU time and pressure"
                : "; v1 freezer for freeze and kill (no cgroup2 mount)") + "; instances at ROOT/app-APP/INSTANCE for ROOT in "
                + tree.roots().values().stream().map(Path::toString).distinct().collect(Collectors.joining(", "));
    }

    @Override
    public CgroupHandle create(CgroupPath path, Owner owner) {
        CgroupTree.Created c = tree.create(path, owner, dir -> { });
        return new CgroupHandle(this, path, c.appDirs(), c.instanceDirs());
    }

    @Override
    public Optional<CgroupHandle> open(CgroupPath path) {
        Map<Hierarchy, Path> dirs = tree.dirsOf(path);
        Path probe = dirs.get(unified != null ? unified : dirs.keySet().iterator().next());
        if (fs().marker(probe).flatMap(Owner::parse).isEmpty()) return Optional.empty();
        Map<Hierarchy, Path> apps = new LinkedHashMap<>();
        dirs.forEach((h, d) -> apps.put(h, d.getParent()));
        return Optional.of(new CgroupHandle(this, path, apps, dirs));
    }

    @Override
    public List<Listed> list() {
        return tree.scan().stream().map(f -> new Listed(f.path(), f.owner())).toList();
    }

    @Override
    public List<Unenforced> apply(CgroupHandle h, Limits app, Limits instance) {
        return Apply.merge(Apply.run(fs(), LimitPlan.of(app, false), c -> dir(h.appDirs(), c)),
                Apply.run(fs(), LimitPlan.of(instance, false), c -> dir(h.dirs(), c)));
    }

    private Apply.Result dir(Map<Hierarchy, Path> dirs, String controller) {
        Hierarchy h = byController.get(controller);
        if (h == null) {
            return Apply.Result.none("no cgroup v1 " + controller + " hierarchy is mounted on this host (see"
                    + " /proc/self/mountinfo); mount it, or run on a cgroup v2 host");
        }
        return Apply.Result.at(dirs.get(h));
    }

    private Optional<Path> dirOf(CgroupHandle h, String controller) {
        Hierarchy hi = byController.get(controller);
        return hi == null ? Optional.empty() : Optional.ofNullable(h.dirs().get(hi));
    }

    @Override
    public void freeze(CgroupHandle h, boolean frozen) {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        Path dir;
        if (unified != null) {
            dir = h.dirs().get(unified);
            fs().write(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
        } else {
            dir = dirOf(h, "freezer").orElseThrow(() -> new CgroupException(null, 0,
                    "cannot freeze: no cgroup2 mount and no v1 freezer hierarchy on this host"));
            fs().write(dir.resolve("freezer.state"), frozen ? "FROZEN" : "THAWED");
        }
        while (events(h).frozen() != frozen) {
            if (System.currentTimeMillis() > deadline) {
                throw new CgroupException(dir, 0, "cgroup " + dir + " did not become " + (frozen ? "frozen" : "thawed")
                        + " within " + WAIT_MS + " ms");
            }
            CgroupTree.sleep(1);
        }
    }

    @Override
    public void kill(CgroupHandle h) {
        Path killFile = unified == null ? null : h.dirs().get(unified).resolve("cgroup.kill");
        if (killFile != null && fs().exists(killFile)) {
            fs().write(killFile, "1");
        } else {   // frozen, nothing can fork between reading the pids and signalling them
            freeze(h, true);
            for (int pid : pids(h)) Signals.send(pid, Signals.SIGKILL);
            freeze(h, false);
        }
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (events(h).populated()) {
            if (System.currentTimeMillis() > deadline) {
                throw new CgroupException(h.dirs().values().iterator().next(), 0, "processes are still in " + h.path()
                        + " " + WAIT_MS + " ms after SIGKILL");
            }
            CgroupTree.sleep(1);
        }
    }

    @Override
    public CgroupStats stats(CgroupHandle h) {
        Optional<Path> mem = dirOf(h, "memory"), cpu = dirOf(h, "cpu"), acct = dirOf(h, "cpuacct"),
                pids = dirOf(h, "pids");
        Map<String, Long> oom = keyed(mem, "memory.oom_control");
        Map<String, Long> throttle = keyed(cpu, "cpu.stat");
        // As on v2: without a per-instance quota, the app's (--cpus) throttling is the figure.
        if (throttle.getOrDefault("nr_periods", 0L) == 0) throttle = keyed(cpu.map(Path::getParent), "cpu.stat");
        Map<String, Long> pidEvents = keyed(pids, "pids.events");
        Long usage, user, system;
        if (unified != null) {
            Map<String, Long> s = CgroupV2Driver.cpuStat(fs(), h.dirs().get(unified));
            usage = s.get("usage_usec");
            user = s.get("user_usec");
            system = s.get("system_usec");
        } else {
            usage = micros(number(acct, "cpuacct.usage"));
            user = micros(number(acct, "cpuacct.usage_user"));
            system = micros(number(acct, "cpuacct.usage_sys"));
        }
        return new CgroupStats(number(mem, "memory.usage_in_bytes"), number(mem, "memory.max_usage_in_bytes"),
                oom.get("oom_kill"), usage, user, system, micros(throttle.get("throttled_time")),
                throttle.get("nr_throttled"), number(pids, "pids.current"), number(pids, "pids.peak"),
                pidEvents.get("max"),
                unified == null ? Map.of() : CgroupV2Driver.pressure(fs(), h.dirs().get(unified)));
    }

    /** cgroup2's CPU time on a hybrid host, else cpuacct's. */
    @Override
    public Long cpuUsageUsec(CgroupHandle h) {
        return unified != null ? CgroupV2Driver.cpuStat(fs(), h.dirs().get(unified)).get("usage_usec")
                : micros(number(dirOf(h, "cpuacct"), "cpuacct.usage"));
    }

    private static Long micros(Long nanos) {
        return nanos == null ? null : nanos / 1000;
    }

    private Map<String, Long> keyed(Optional<Path> dir, String file) {
        return dir.flatMap(d -> fs().readIfPresent(d.resolve(file))).map(ControlFiles::keyed).orElse(Map.of());
    }

    private Long number(Optional<Path> dir, String file) {
        return dir.flatMap(d -> ControlFiles.number(fs().readIfPresent(d.resolve(file)))).orElse(null);
    }

    @Override
    public CgroupEvents events(CgroupHandle h) {
        long oom = keyed(dirOf(h, "memory"), "memory.oom_control").getOrDefault("oom_kill", 0L);
        if (unified != null) {
            Map<String, Long> ev = keyed(Optional.of(h.dirs().get(unified)), "cgroup.events");
            return new CgroupEvents(ev.getOrDefault("populated", 0L) == 1, ev.getOrDefault("frozen", 0L) == 1, oom);
        }
        boolean frozen = dirOf(h, "freezer").flatMap(d -> fs().readIfPresent(d.resolve("freezer.state")))
                .map(s -> s.trim().equals("FROZEN")).orElse(false);
        return new CgroupEvents(!pids(h).isEmpty(), frozen, oom);
    }

    @Override
    public List<Integer> pids(CgroupHandle h) {
        Path d = unified != null ? h.dirs().get(unified) : h.dirs().values().iterator().next();
        return CgroupV2Driver.procs(fs(), d);
    }

    @Override
    public void remove(CgroupHandle h) {
        tree.remove(h.dirs());
    }
}
