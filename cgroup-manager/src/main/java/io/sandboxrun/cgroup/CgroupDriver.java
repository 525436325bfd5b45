package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.policy.Limits;
import java.util.List;
import java.util.Optional;

/**
 * One interface over cgroup v2 and v1 (youki's CgroupManager). Pick one with
 * {@link Cgroups#driver}; each takes its roots as constructor arguments, so unit tests run it
 * against a temp-dir tree.
 */
public sealed interface CgroupDriver permits CgroupV2Driver, CgroupV1Driver {
    CgroupLayout layout();

    /** In words, for doctor: which hierarchies do what. */
    String describe();

    /**
     * The controllers limits can use here, by their v2 names ({@code memory}, {@code cpu},
     * {@code pids}, {@code io}): what doctor reports and what tests of real limits require.
     */
    java.util.Set<String> limitControllers();

    /** The root directory in each hierarchy this driver uses (instances go in {@code <root>/app-<app>/<instance>}). */
    List<java.nio.file.Path> roots();

    /** Makes {@code <root>/app-<app>/<instance>} everywhere, marked as {@code owner}'s; nothing is left on failure. */
    CgroupHandle create(CgroupPath path, Owner owner);

    /** The instance cgroup of a running (or orphaned) instance, if it carries our mark. */
    Optional<CgroupHandle> open(CgroupPath path);

    /** Every marked instance cgroup below the root, with the launcher that owns it. */
    List<Listed> list();

    record Listed(CgroupPath path, Owner owner) {}

    CgroupFs fs();

    List<Unenforced> apply(CgroupHandle h, Limits app, Limits instance);

    void freeze(CgroupHandle h, boolean frozen);

    void kill(CgroupHandle h);

    CgroupStats stats(CgroupHandle h);

    /**
     * The instance's CPU time, µs, as {@link #stats} has it (one file read, for the CPU-time
     * checks); null when this host's cgroups do not count it.
     */
    Long cpuUsageUsec(CgroupHandle h);

    CgroupEvents events(CgroupHandle h);

    List<Integer> pids(CgroupHandle h);

    void remove(CgroupHandle h);

    /**
     * Removes the roots (and the marked directories above them) that hold no instance any more;
     * for a launcher that ends, and for gc. Never touches an unmarked directory.
     */
    void removeEmptyRoots();
}
