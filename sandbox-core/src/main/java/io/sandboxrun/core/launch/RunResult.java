package io.sandboxrun.core.launch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How an instance ended.
 *
 * @param app         the app name
 * @param instance    the instance id
 * @param exitCode    what {@code sandbox-run} exits with: the app's code, 128+signal, or 125/126/127
 * @param code        the app's exit code, when it exited
 * @param signal      the signal that killed the app, when one did
 * @param coreDumped  whether the kernel reported a core dump
 * @param wallTime    from launch() to exit
 * @param protections which walls were active
 * @param denials     the syscalls the seccomp profile refused, most frequent first
 * @param learnedSyscalls in learning mode, every syscall the app made (sorted names); else empty
 * @param usage       what the instance's cgroup counted (memory, CPU, pids, OOM kills, pressure),
 *                    read after the last process ended; empty without a cgroup
 * @param failure     why setup failed, when it did
 * @param network     outbound connections and bytes through the proxy; empty when the instance
 *                    never reached the point of having one
 * @param ending      how it ended in one word; {@code null} when built: then it is read from the
 *                    fields above (a failure, an OOM kill, a signal or an exit)
 */
public record RunResult(
        String app,
        String instance,
        int exitCode,
        Optional<Integer> code,
        Optional<Integer> signal,
        boolean coreDumped,
        Duration wallTime,
        List<Protection> protections,
        List<Denial> denials,
        List<String> learnedSyscalls,
        Optional<CgroupStats> usage,
        Optional<SetupFailure> failure,
        Optional<NetworkTotals> network,
        Ending ending) {

    public RunResult {
        protections = List.copyOf(protections);
        denials = List.copyOf(denials);
        learnedSyscalls = List.copyOf(learnedSyscalls);
        if (ending == null) {
            ending = Ending.of(failure.isPresent() ? Ending.Reason.SETUP_FAILURE
                    : oomKilled(signal, usage) ? Ending.Reason.OOM
                    : signal.isPresent() ? Ending.Reason.SIGNAL : Ending.Reason.EXIT);
        }
    }

    /** Without network figures. */
    public RunResult(String app, String instance, int exitCode, Optional<Integer> code, Optional<Integer> signal,
                     boolean coreDumped, Duration wallTime, List<Protection> protections, List<Denial> denials,
                     List<String> learnedSyscalls, Optional<CgroupStats> usage, Optional<SetupFailure> failure) {
        this(app, instance, exitCode, code, signal, coreDumped, wallTime, protections, denials, learnedSyscalls, usage,
                failure, Optional.empty(), null);
    }

    /** This result with the instance's network figures. */
    public RunResult withNetwork(NetworkTotals n) {
        return new RunResult(app, instance, exitCode, code, signal, coreDumped, wallTime, protections, denials,
                learnedSyscalls, usage, failure, Optional.of(n), ending);
    }

    /** This result ended by {@code e} (a limit, a stop, a kill the runtime made) rather than as its fields read. */
    public RunResult withEnding(Ending e) {
        return new RunResult(app, instance, exitCode, code, signal, coreDumped, wallTime, protections, denials,
                learnedSyscalls, usage, failure, network, e);
    }

    /**
     * True when the kernel's OOM killer ended the app: it died of SIGKILL and its cgroup counted
     * an OOM kill (a child killed for memory while the app went on does not count).
     */
    public boolean oomKilled() {
        return oomKilled(signal, usage);
    }

    private static boolean oomKilled(Optional<Integer> signal, Optional<CgroupStats> usage) {
        return signal.orElse(0) == 9 && usage.map(u -> u.oomKills() != null && u.oomKills() > 0).orElse(false);
    }

    /** True when the app ran and exited with code 0. */
    public boolean succeeded() { return exitCode == 0 && failure.isEmpty(); }
}
