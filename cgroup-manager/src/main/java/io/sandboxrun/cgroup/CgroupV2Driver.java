package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * cgroup v2: one hierarchy. It enables memory, cpu, pids and io in the directories it makes (the
 * root and app cgroups, which hold no process of their own), as far as the cgroup above them
 * offers them; a limit whose controller did not reach the instance is reported, not dropped.
 */
public final class CgroupV2Driver implements CgroupDriver {
    static final Set<String> WANTED = Set.of("memory", "cpu", "pids", "io");
    private static final long WAIT_MS = 5000;

    private final CgroupLayout layout;
    private final CgroupTree tree;
    private final Hierarchy unified;
    private final Map<Path, String> enableProblems = new java.util.concurrent.ConcurrentHashMap<>();

    CgroupV2Driver(CgroupLayout layout, CgroupFs fs, Path root) {
        this.layout = layout;
        this.unified = layout.unified();
        Map<Hierarchy, Path> roots = new LinkedHashMap<>();
        roots.put(unified, root);
        this.tree = new CgroupTree(fs, roots, unified);
    }

    @Override public CgroupLayout layout() { return layout; }

    @Override public CgroupFs fs() { return tree.fs(); }

    @Override public List<Path> roots() { return List.copyOf(tree.roots().values()); }

    @Override public void removeEmptyRoots() { tree.removeEmptyRoots(); }

    @Override
    public String describe() {
        Path root = tree.roots().get(unified);
        Set<String> offered = ControlFiles.words(fs().readIfPresent(nearestExisting(root).resolve("cgroup.controllers")));
        return "cgroup v2 at " + unified.mountPoint() + "; instances under " + root + "; controllers offered there: "
                + (offered.isEmpty() ? "none" : String.join(" ", offered));
    }

    @Override
    public Set<String> limitControllers() {
        Set<String> offered = ControlFiles.words(fs().readIfPresent(nearestExisting(tree.roots().get(unified))
                .resolve("cgroup.controllers")));
        return offered.stream().filter(WANTED::contains).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private Path nearestExisting(Path p) {
        while (p != null && !fs().exists(p)) p = p.getParent();
        return p == null ? unified.mountPoint() : p;
    }

    @Override
    public CgroupHandle create(CgroupPath path, Owner owner) {
        CgroupTree.Created c = tree.create(path, owner, this::enableControllers);
        return new CgroupHandle(this, path, c.appDirs(), c.instanceDirs());
    }

    /** In a root or app cgroup of ours: hand the wanted controllers it has on to its children. */
    private void enableControllers(Path dir) {
        Set<String> have = ControlFiles.words(fs().readIfPresent(dir.resolve("cgroup.controllers")));
        Set<String> on = ControlFiles.words(fs().readIfPresent(dir.resolve("cgroup.subtree_control")));
        String add = have.stream().filter(WANTED::contains).filter(c -> !on.contains(c)).sorted()
                .map(c -> "+" + c).collect(Collectors.joining(" "));
        if (add.isEmpty()) return;
        try {
            fs().write(dir.resolve("cgroup.subtree_control"), add);
            enableProblems.remove(dir);
        } catch (CgroupException e) {
            enableProblems.put(dir, e.getMessage());
        }
    }

    @Override
    public Optional<CgroupHandle> open(CgroupPath path) {
        Map<Hierarchy, Path> dirs = tree.dirsOf(path);
        if (fs().marker(dirs.get(unified)).flatMap(Owner::parse).isEmpty()) return Optional.empty();
        Map<Hierarchy, Path> apps = new HashMap<>();
        dirs.forEach((h, d) -> apps.put(h, d.getParent()));
        return Optional.of(new CgroupHandle(this, path, apps, dirs));
    }

    @Override
    public List<Listed> list() {
        return tree.scan().stream().map(f -> new Listed(f.path(), f.owner())).toList();
    }

    @Override
    public List<Unenforced> apply(CgroupHandle h, Limits app, Limits instance) {
        Path appDir = h.appDirs().get(unified), instDir = h.dirs().get(unified);
        return Apply.merge(Apply.run(fs(), LimitPlan.of(app, true), c -> controllerAt(appDir, c)),
                Apply.run(fs(), LimitPlan.of(instance, true), c -> controllerAt(instDir, c)));
    }

    private Apply.Result controllerAt(Path dir, String controller) {
        if (ControlFiles.words(fs().readIfPresent(dir.resolve("cgroup.controllers"))).contains(controller)) {
            return Apply.Result.at(dir);
        }
        Path parent = dir.getParent();
        String problem = enableProblems.get(parent);
        return Apply.Result.none("the " + controller + " controller does not reach " + dir + ": "
                + (problem != null ? problem : "enable it in the cgroup.subtree_control of the cgroups above (with"
                + " systemd: Delegate=yes for the launcher's unit), or set cgroup.root to a delegated cgroup"));
    }

    @Override
    public void freeze(CgroupHandle h, boolean frozen) {
        Path dir = h.dirs().get(unified);
        fs().write(dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
        long deadline = System.currentTimeMillis() + WAIT_MS;
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
        Path dir = h.dirs().get(unified);
        Path killFile = dir.resolve("cgroup.kill");
        if (fs().exists(killFile)) {
            fs().write(killFile, "1");
        } else {   // before Linux 5.14: freeze so nothing forks while we signal, then kill each
            freeze(h, true);
            for (int pid : pids(h)) Signals.send(pid, Signals.SIGKILL);
            freeze(h, false);
        }
        awaitEmpty(h, dir);
    }

    private void awaitEmpty(CgroupHandle h, Path dir) {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (events(h).populated()) {
            if (System.currentTimeMillis() > deadline) {
                throw new CgroupException(dir, 0, "processes are still in " + dir + " " + WAIT_MS + " ms after SIGKILL");
            }
            CgroupTree.sleep(1);
        }
    }

    @Override
    public CgroupStats stats(CgroupHandle h) {
        Path d = h.dirs().get(unified);
        Map<String, Long> cpu = cpuStat(fs(), d);
        Map<String, Long> throttle = quotaHolder(cpu, d.getParent(), "cpu.stat");
        Map<String, Long> mem = ControlFiles.keyed(fs().readIfPresent(d.resolve("memory.events")).orElse(""));
        Map<String, Long> pidEvents = ControlFiles.keyed(fs().readIfPresent(d.resolve("pids.events")).orElse(""));
        return new CgroupStats(
                number(d, "memory.current"), number(d, "memory.peak"), mem.get("oom_kill"),
                cpu.get("usage_usec"), cpu.get("user_usec"), cpu.get("system_usec"),
                throttle.get("throttled_usec"), throttle.get("nr_throttled"),
                number(d, "pids.current"), number(d, "pids.peak"), pidEvents.get("max"),
                pressure(fs(), d));
    }

    @Override
    public Long cpuUsageUsec(CgroupHandle h) {
        return cpuStat(fs(), h.dirs().get(unified)).get("usage_usec");
    }

    /** cgroup2's {@code cpu.stat} in {@code dir}: CPU time (usage, user, system), and throttling under a quota. */
    static Map<String, Long> cpuStat(CgroupFs fs, Path dir) {
        return ControlFiles.keyed(fs.readIfPresent(dir.resolve("cpu.stat")).orElse(""));
    }

    /**
     * The CPU quota is usually the app's (--cpus), shared by its instances: an instance's own
     * cpu.stat counts periods only under a per-instance quota, so without one the throttling
     * figures are the app cgroup's.
     */
    Map<String, Long> quotaHolder(Map<String, Long> instanceStat, Path appDir, String file) {
        if (instanceStat.getOrDefault("nr_periods", 0L) > 0) return instanceStat;
        return ControlFiles.keyed(fs().readIfPresent(appDir.resolve(file)).orElse(""));
    }

    static Map<String, Pressure> pressure(CgroupFs fs, Path dir) {
        Map<String, Pressure> p = new LinkedHashMap<>();
        for (String r : List.of("cpu", "memory", "io")) {
            fs.readIfPresent(dir.resolve(r + ".pressure")).flatMap(Pressure::parse).ifPresent(v -> p.put(r, v));
        }
        return p;
    }

    private Long number(Path dir, String file) {
        return ControlFiles.number(fs().readIfPresent(dir.resolve(file))).orElse(null);
    }

    @Override
    public CgroupEvents events(CgroupHandle h) {
        Path d = h.dirs().get(unified);
        Map<String, Long> ev = ControlFiles.keyed(fs().readIfPresent(d.resolve("cgroup.events")).orElse(""));
        Map<String, Long> mem = ControlFiles.keyed(fs().readIfPresent(d.resolve("memory.events")).orElse(""));
        return new CgroupEvents(ev.getOrDefault("populated", 0L) == 1, ev.getOrDefault("frozen", 0L) == 1,
                mem.getOrDefault("oom_kill", 0L));
    }

    @Override
    public List<Integer> pids(CgroupHandle h) {
        return procs(fs(), h.dirs().get(unified));
    }

    static List<Integer> procs(CgroupFs fs, Path dir) {
        return fs.readIfPresent(dir.resolve("cgroup.procs")).stream()
                .flatMap(t -> t.lines()).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    }

    @Override
    public void remove(CgroupHandle h) {
        tree.remove(h.dirs());
    }
}
