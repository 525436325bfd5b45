package io.sandboxrun.core.launch;

import java.util.Map;

/**
 * What an autoscaler and a user reading the result need about one cgroup. A field is
 * {@code null} when this host's cgroups do not report it (pids.peak needs Linux 6.13, memory.peak
 * 5.19 on v2; PSI needs CONFIG_PSI and a cgroup2 mount).
 *
 * @param memoryCurrent   bytes charged now
 * @param memoryPeak      the most bytes charged at once
 * @param oomKills        processes the kernel's OOM killer ended in this cgroup
 * @param cpuUsageUsec    CPU time, user + system
 * @param throttledUsec   time the CPU quota held the cgroup back
 * @param throttledPeriods periods in which the quota ran out
 * @param pidsLimitHits   forks refused by pids.max
 * @param pressure        resource ({@code cpu}, {@code memory}, {@code io}) to its stall figures
 */
public record CgroupStats(
        Long memoryCurrent,
        Long memoryPeak,
        Long oomKills,
        Long cpuUsageUsec,
        Long cpuUserUsec,
        Long cpuSystemUsec,
        Long throttledUsec,
        Long throttledPeriods,
        Long pidsCurrent,
        Long pidsPeak,
        Long pidsLimitHits,
        Map<String, Pressure> pressure) {

    public CgroupStats {
        pressure = Map.copyOf(pressure);
    }
}
