package io.sandboxrun.core.policy;

import java.util.List;

/** TEMPORARY stand-in until the policy branch lands. */
public record Limits(Long memory, Long memoryHigh, Integer cpuMillis, Integer cpuWeight, Long pids, List<IoLimit> io) {
    public static Limits none() { return new Limits(null, null, null, null, null, null); }
    public boolean isEmpty() { return memory == null && memoryHigh == null && cpuMillis == null && cpuWeight == null && pids == null && io == null; }
}
