package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.policy.Limits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        return driver.apply(this, plus(app, supervisorTasks * instancesOfApp()), plus(instance, supervisorTasks));
    }

    /**
     * The app's pids limit again, for the instances it has now: after one ended, its supervisors'
     * allowance goes too. Launchers of one app may race here; each writes what it counts, so the
     * last to write after the last change is right.
     */
    private void reaccountApp() {
        Path app = anyAppDir();
        if (!driver.fs().exists(app)) return;
        driver.fs().marker(app, APP_PIDS).ifPresent(v -> {
            int plus = v.indexOf('+');
            long pids = Long.parseLong(v.substring(0, plus));
            int tasks = Integer.parseInt(v.substring(plus + 1));
            Limits only = new Limits(null, null, null, null, pids, null);
            driver.apply(this, plus(only, tasks * instancesOfApp()), new Limits(null, null, null, null, null, null));
        });
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
