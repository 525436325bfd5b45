package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One instance's cgroup, in every hierarchy its driver uses. Made by {@link CgroupDriver#create}
 * (which owns it) or found again by {@link CgroupDriver#open}; {@link #close} removes only what
 * carries this project's mark.
 */
public final class CgroupHandle implements AutoCloseable {
    /** The attribute an operator's kill leaves on the instance directory. */
    static final String KILLED = "trusted.sandbox-run.killed";
    /** On the app directory: the app's pids limit as the policy set it and the supervisors per instance on top. */
    static final String APP_PIDS = "trusted.sandbox-run.pids";
    private final CgroupDriver driver;
    private final CgroupPath path;
    private final Map<Hierarchy, Path> dirs;
    private final Map<Hierarchy, Path> appDirs;
    private boolean closed;

    CgroupHandle(CgroupDriver driver, CgroupPath path, Map<Hierarchy, Path> appDirs, Map<Hierarchy, Path> dirs) {
        this.driver = driver;
        this.path = path;
        this.appDirs = Collections.unmodifiableMap(new LinkedHashMap<>(appDirs));
        this.dirs = Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
    }

    public CgroupPath path() { return path; }

    /** The instance's directory per hierarchy. */
    public Map<Hierarchy, Path> dirs() { return dirs; }

    Map<Hierarchy, Path> appDirs() { return appDirs; }

    /** One {@code cgroup.procs} per hierarchy: the helper joins them all before it clones. */
    public List<Path> procsFiles() {
        return dirs.values().stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** Moves process {@code pid} (all its threads) into the instance cgroup. */
    public void addProcess(int pid) {
        for (Path f : procsFiles()) driver.fs().write(f, Integer.toString(pid));
    }

    /**
     * Writes the app's limits on the app cgroup (shared by its instances; the last launch's values
     * hold) and the instance's on its own. Returns what this host cannot enforce.
     */
    public List<Unenforced> apply(Limits app, Limits instance) {
        return driver.apply(this, app, instance);
    }

    /**
     * As {@link #apply(Limits, Limits)}, with {@code supervisorTasks} processes per instance that
     * are not the app's added on top of its pids limits (the app's: for each instance it has now;
     * the instance's: its own). When an instance of the app is closed, the app's limit follows.
     */
    public List<Unenforced> apply(Limits app, Limits instance, int supervisorTasks) {
        if (app.pids() != null) driver.fs().mark(anyAppDir(), APP_PIDS, app.pids() + "+" + supervisorTasks);
        int instances = instancesOfApp();
        List<Unenforced> missing = driver.apply(this, plus(app, supervisorTasks * instances), plus(instance, supervisorTasks));
        if (app.pids() != null) settleAppPids(app.pids(), supervisorTasks, instances);
        return missing;
    }

    /**
     * The app's pids limit again, for the instances it has now: after one ended, its supervisors'
     * allowance goes too.
     */
    private void reaccountApp() {
        Path app = anyAppDir();
        if (!driver.fs().exists(app)) return;
        driver.fs().marker(app, APP_PIDS).flatMap(AppPids::parse).ifPresent(p -> settleAppPids(p.pids(), p.tasks(), -1));
    }

    /**
     * Writes the app's pids limit for the instances it has until a count after the write finds
     * the number it was written for. Launchers of one app create and remove instances, count and
     * write without a lock between them, so a write can carry a count another launcher has since
     * changed; but whoever writes last counts again after its write, so the limit ends right.
     *
     * @param writtenFor the instance count the limit was last written for by this call's caller, or -1
     */
    private void settleAppPids(long pids, int tasks, int writtenFor) {
        if (pids == Limits.UNLIMITED) return;   // max holds whatever the count
        for (int n = instancesOfApp(); n != writtenFor; n = instancesOfApp()) {
            driver.apply(this, Limits.none().withPids(pids + (long) tasks * n), Limits.none());
            writtenFor = n;
        }
    }

    /** The {@link #APP_PIDS} mark: the app's pids limit as the policy set it, and the tasks per instance on top. */
    record AppPids(long pids, int tasks) {
        static Optional<AppPids> parse(String mark) {
            int plus = mark.indexOf('+');
            if (plus < 0) return Optional.empty();
            try {
                return Optional.of(new AppPids(Long.parseLong(mark.substring(0, plus).trim()),
                        Integer.parseInt(mark.substring(plus + 1).trim())));
            } catch (NumberFormatException e) {
                return Optional.empty();   // not ours to read: the limit stays as it is
            }
        }
    }

    private static Limits plus(Limits l, int tasks) {
        if (l.pids() == null || l.pids() == Limits.UNLIMITED || tasks == 0) return l;
        return l.withPids(l.pids() + tasks);
    }

    private int instancesOfApp() {
        return driver.fs().children(anyAppDir()).size();
    }

    private Path anyAppDir() {
        return appDirs.values().iterator().next();
    }

    /** Stops every process of the instance; returns once the kernel reports it frozen. */
    public void freeze() { driver.freeze(this, true); }

    public void thaw() { driver.freeze(this, false); }

    /** SIGKILLs every process of the instance, then waits until none is left. */
    public void killAll() { driver.kill(this); }

    /** Says, on the instance cgroup, who killed it, so that its launcher reports a kill rather than a signal. */
    public void markKilled(String by) {
        driver.fs().mark(dirs.values().iterator().next(), KILLED, by);
    }

    /** Whether {@link #markKilled} was called on this instance, by any process. */
    public boolean killedMark() {
        return !dirs.isEmpty() && driver.fs().marker(dirs.values().iterator().next(), KILLED).isPresent();
    }

    public CgroupStats stats() { return driver.stats(this); }

    /** The instance's CPU time, µs, alone (what a CPU-time limit is checked against); null when not counted here. */
    public Long cpuUsageUsec() { return driver.cpuUsageUsec(this); }

    public CgroupEvents events() { return driver.events(this); }

    /** The pids in the instance cgroup now. */
    public List<Integer> pids() { return driver.pids(this); }

    /** Removes the instance cgroup (and the app cgroup once it has no instance left). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        driver.remove(this);
        try {
            reaccountApp();
        } catch (CgroupException e) {
            // The app cgroup went away under us (its last instance, removed by another launcher): nothing to adjust.
        }
    }

    @Override
    public String toString() { return "cgroup " + path; }
}
