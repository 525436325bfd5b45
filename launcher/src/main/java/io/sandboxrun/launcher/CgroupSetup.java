package io.sandboxrun.launcher;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.cgroup.CgroupPath;
import io.sandboxrun.cgroup.Cgroups;
import io.sandboxrun.cgroup.Owner;
import io.sandboxrun.cgroup.Unenforced;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.CgroupPolicy;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The cgroup side of a launch: the policy's cgroup mode turned into an instance cgroup with its
 * limits, or into the error or warning the mode asks for. One per runtime; drivers are detected
 * once per configured root, and the first use of a root reaps what dead launchers left there.
 */
public final class CgroupSetup {
    private static final String STEP = "cgroup";
    /**
     * The processes of sandbox-init in every instance: the host-side supervisor and pid 1 inside.
     * They are in the instance's cgroup (so that its kill and its figures take them in) and are
     * added on top of the pids limits, which count the app's own processes and threads.
     */
    public static final int SUPERVISOR_TASKS = 2;

    private final Function<String, CgroupDriver> detect;
    private final Consumer<CgroupDriver> onFirstUse;
    private final Map<String, Optional<CgroupDriver>> drivers = new ConcurrentHashMap<>();
    private final Map<String, String> unavailable = new ConcurrentHashMap<>();
    /** Whether each driver's cgroups count an instance's CPU time: the same for all its instances. */
    private final Map<CgroupDriver, Boolean> countsCpuTime = new ConcurrentHashMap<>();

    /**
     * @param detect     the driver for a configured root ({@code ""} for the default)
     * @param onFirstUse runs once per driver before its first instance (crash recovery)
     */
    CgroupSetup(Function<String, CgroupDriver> detect, Consumer<CgroupDriver> onFirstUse) {
        this.detect = detect;
        this.onFirstUse = onFirstUse;
    }

    static CgroupSetup system(Consumer<CgroupDriver> onFirstUse) {
        return new CgroupSetup(root -> Cgroups.detect(root.isEmpty() ? null : root), onFirstUse);
    }

    /**
     * The instance's cgroup (absent when off or unavailable), the protections entries to report,
     * and whether it counts the instance's CPU time (what a CPU-time limit is read from).
     */
    record Prepared(Optional<CgroupHandle> handle, List<Protection> protections, boolean cpuAccounted) {}

    /**
     * Creates {@code <root>/app-<app>/<id>} and writes the limits. What is created is registered
     * with {@code undo}.
     *
     * @throws SetupException (125) when the mode is {@code required} and a cgroup or a limit cannot
     *                        be had, or when a limit's write fails (e.g. below what the app uses now)
     */
    Prepared prepare(Policy policy, String id, Rollback undo, Consumer<String> warn) {
        CgroupPolicy.Mode mode = policy.cgroup().mode();
        if (mode == CgroupPolicy.Mode.OFF) {
            String what = limitsIn(policy);
            if (!what.isEmpty()) warn.accept("app \"" + policy.app() + "\" runs without a cgroup (cgroup: off)" + what);
            return new Prepared(Optional.empty(), List.of(new Protection("cgroups", Protection.Status.OFF,
                    "switched off by the policy (cgroup: off): no limits, no usage figures" + what)), false);
        }
        String root = policy.cgroup().root() == null ? "" : policy.cgroup().root();
        Optional<CgroupDriver> driver = driver(root);
        if (driver.isEmpty()) return without(policy, unavailable.get(root), warn);
        CgroupPath path = new CgroupPath(policy.app(), id);
        CgroupHandle handle;
        try {
            handle = driver.get().create(path, Owner.self(path));
        } catch (CgroupException e) {
            return without(policy, "cannot create the instance cgroup: " + e.getMessage(), warn);
        }
        undo.onFailure(handle::close);
        List<Unenforced> missing;
        try {
            missing = handle.apply(policy.limits(), policy.instanceLimits(), SUPERVISOR_TASKS);
        } catch (CgroupException e) {
            throw new SetupException(STEP, "cannot set the limits of app \"" + policy.app() + "\": " + e.getMessage(), e);
        }
        List<Protection> p = new ArrayList<>();
        p.add(new Protection("cgroups", Protection.Status.ENFORCED, "cgroup " + path + "; " + describe(policy)));
        for (Unenforced u : missing) unenforced(policy, u.limit(), u.reason(), warn, p);
        // Only a launch with a CPU-time limit asks, and a driver's first such launch reads it.
        boolean wanted = Lifetime.limited(policy.cpuTimeLimit());
        boolean cpuAccounted = wanted && countsCpuTime.computeIfAbsent(driver.get(), d -> handle.cpuUsageUsec() != null);
        if (wanted && !cpuAccounted) {
            unenforced(policy, "cpu-time-limit", "this host's cgroups do not count the instance's CPU time (no"
                    + " cpu.stat usage_usec, no cpuacct.usage)", warn, p);
        }
        return new Prepared(Optional.of(handle), p, cpuAccounted);
    }

    /** A limit the host cannot hold: an error when the mode is required, else a warning and a protections entry. */
    private static void unenforced(Policy policy, String limit, String reason, Consumer<String> warn, List<Protection> p) {
        if (policy.cgroup().mode() == CgroupPolicy.Mode.REQUIRED) {
            throw new SetupException(STEP, "cannot enforce limit " + limit + " of app \"" + policy.app() + "\": " + reason
                    + " (the policy says cgroup: required; best-effort runs without it and warns)", ExitCodes.SETUP_FAILED);
        }
        warn.accept("limit " + limit + " of app \"" + policy.app() + "\" is not enforced: " + reason);
        p.add(new Protection("cgroups." + limit, Protection.Status.NOT_ENFORCED, reason));
    }

    /** No cgroup for this launch: an error when required, else a warning and a protections entry. */
    private static Prepared without(Policy policy, String reason, Consumer<String> warn) {
        if (policy.cgroup().mode() == CgroupPolicy.Mode.REQUIRED) {
            throw new SetupException(STEP, "no cgroup for app \"" + policy.app() + "\": " + reason
                    + " (the policy says cgroup: required; best-effort runs without limits and warns)",
                    ExitCodes.SETUP_FAILED);
        }
        String what = limitsIn(policy);
        warn.accept("app \"" + policy.app() + "\" runs without a cgroup: " + reason + what);
        return new Prepared(Optional.empty(), List.of(new Protection("cgroups", Protection.Status.NOT_ENFORCED,
                reason + what)), false);
    }

    /** {@code ; limits not enforced: ...} for what a launch without a cgroup cannot hold, or nothing. */
    private static String limitsIn(Policy policy) {
        List<String> not = new ArrayList<>();
        if (!policy.limits().isEmpty() || !policy.instanceLimits().isEmpty()) not.add(describe(policy));
        if (Lifetime.limited(policy.cpuTimeLimit())) {
            not.add("cpu-time-limit " + io.sandboxrun.core.policy.Durations.word(policy.cpuTimeLimit()));
        }
        return not.isEmpty() ? "" : "; limits not enforced: " + String.join("; ", not);
    }

    private Optional<CgroupDriver> driver(String root) {
        return drivers.computeIfAbsent(root, r -> {
            try {
                CgroupDriver d = detect.apply(r);
                onFirstUse.accept(d);
                return Optional.of(d);
            } catch (CgroupException e) {
                unavailable.put(r, e.getMessage());
                return Optional.empty();
            }
        });
    }

    /**
     * When the runtime ends (its instances gone): removes the roots it used that no instance is
     * left in, so that a launcher leaves nothing behind in its own cgroups; {@code warn} hears
     * what could not be removed.
     */
    void close(Consumer<String> warn) {
        for (Optional<CgroupDriver> d : drivers.values()) {
            try {
                d.ifPresent(CgroupDriver::removeEmptyRoots);
            } catch (CgroupException e) {
                warn.accept("cgroup roots left behind: " + e.getMessage());
            }
        }
    }

    /** The limits in words, app then instance: {@code app memory 256M, pids 1024; instance cpus 0.5}. */
    static String describe(Policy policy) {
        String app = words(policy.limits()), inst = words(policy.instanceLimits());
        if (app.isEmpty() && inst.isEmpty()) return "no limits";
        return (app.isEmpty() ? "" : "app " + app) + (app.isEmpty() || inst.isEmpty() ? "" : "; ")
                + (inst.isEmpty() ? "" : "instance " + inst);
    }

    public static String words(Limits l) {
        List<String> w = new ArrayList<>();
        if (l.memory() != null) w.add("memory " + size(l.memory()));
        if (l.memoryHigh() != null) w.add("memory-high " + size(l.memoryHigh()));
        if (l.cpuMillis() != null) {
            w.add("cpus " + (l.cpuMillis() == Limits.CPU_UNLIMITED ? "max"
                    : java.math.BigDecimal.valueOf(l.cpuMillis(), 3).stripTrailingZeros().toPlainString()));
        }
        if (l.cpuWeight() != null) w.add("cpu-weight " + l.cpuWeight());
        if (l.pids() != null) w.add("pids " + (l.pids() == Limits.UNLIMITED ? "max" : l.pids()));
        if (l.io() != null) l.io().forEach(io -> w.add("io " + io));
        return String.join(", ", w);
    }

    private static String size(long bytes) {
        return bytes == Limits.UNLIMITED ? "max" : PolicyValues.sizeWord(bytes);
    }
}
