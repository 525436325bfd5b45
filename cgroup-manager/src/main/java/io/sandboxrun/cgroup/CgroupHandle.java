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

    /** Stops every process of the instance; returns once the kernel reports it frozen. */
    public void freeze() { driver.freeze(this, true); }

    public void thaw() { driver.freeze(this, false); }

    /** SIGKILLs every process of the instance, then waits until none is left. */
    public void killAll() { driver.kill(this); }

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
    }

    @Override
    public String toString() { return "cgroup " + path; }
}
