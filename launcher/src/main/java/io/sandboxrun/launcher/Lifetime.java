package io.sandboxrun.launcher;

import io.sandboxrun.core.policy.CgroupValues;
import io.sandboxrun.core.policy.Durations;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.Policy;
import java.time.Duration;

/**
 * How long an instance may live and how it is stopped: its time limits, the grace a stop gives
 * before every process is killed, and what paces the CPU-time checks.
 *
 * @param timeLimit    wall-clock time from exec; null: none
 * @param cpuTimeLimit CPU time of the instance's cgroup, all its processes; null: none, or not
 *                     enforceable on this host (the launch said so)
 * @param stopTimeout  from a stop's SIGTERM to the SIGKILL of every process
 * @param cpus         the most CPUs the instance can keep busy at once
 * @param memoryLimit  the memory limit as the policy writes it, for an OOM ending; null when none
 */
record Lifetime(Duration timeLimit, Duration cpuTimeLimit, Duration stopTimeout, int cpus, String memoryLimit) {
    /** The policy's limits; {@code cpuAccounted}: whether the instance's cgroup counts its CPU time. */
    static Lifetime of(Policy p, boolean cpuAccounted) {
        return new Lifetime(limit(p.timeLimit()), cpuAccounted ? limit(p.cpuTimeLimit()) : null, p.stopTimeout(),
                cpus(p), memory(p.limits().memory(), p.instanceLimits().memory()));
    }

    /** A quota caps the CPUs below the host's; without one, every CPU the launcher may use. */
    private static int cpus(Policy p) {
        int host = Runtime.getRuntime().availableProcessors();
        long quota = Math.min(millis(p.limits().cpuMillis()), millis(p.instanceLimits().cpuMillis()));
        return (int) Math.max(1, Math.min(host, (quota + 999) / 1000));
    }

    private static int millis(Integer cpuMillis) {
        return cpuMillis == null ? Limits.CPU_UNLIMITED : cpuMillis;
    }

    private static Duration limit(Duration d) {
        return limited(d) ? d : null;
    }

    /** Whether a time limit as the policy holds it is set: neither unset nor {@code none}. */
    static boolean limited(Duration d) {
        return d != null && !d.equals(Durations.NONE);
    }

    /** The tighter of the app's and the instance's memory limits, as written; null when neither binds. */
    private static String memory(Long app, Long instance) {
        long a = app == null ? Limits.UNLIMITED : app;
        long i = instance == null ? Limits.UNLIMITED : instance;
        long m = Math.min(a, i);
        return m == Limits.UNLIMITED ? null : CgroupValues.word(m, true);
    }
}
