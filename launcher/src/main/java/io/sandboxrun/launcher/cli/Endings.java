package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.launch.Denial;
import io.sandboxrun.core.launch.Ending;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.Durations;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyValues;
import java.util.ArrayList;
import java.util.List;

/**
 * The stderr lines that say, in plain words, how a run ended when it was not the app's own exit
 * (its own exit code says that), and what the seccomp profile refused that an app rarely reports
 * well (a second exec).
 */
final class Endings {
    /** The lines for {@code r}; none for an app that exited on its own without a refused exec. */
    static List<String> describe(Policy p, RunResult r) {
        List<String> lines = new ArrayList<>();
        Ending e = r.ending();
        String app = "app " + p.app();
        String stopped = " and was stopped with SIGTERM" + (e.escalated() ? "; it did not exit within the stop timeout ("
                + Durations.word(p.stopTimeout()) + "), so every process was killed" : "");
        switch (e.reason()) {
            case SIGNAL -> r.signal().ifPresent(s -> lines.add(app + " was killed by " + Signals.name(s) + why(s)));
            case OOM -> lines.add(app + " was killed by the kernel's OOM killer: it reached its memory limit ("
                    + (e.limit() == null ? "" : e.limit() + "; ")
                    + r.usage().map(u -> u.memoryPeak() == null ? "peak unknown" : PolicyValues.sizeWord(u.memoryPeak())
                            + " at peak").orElse("peak unknown") + ")");
            case TIME_LIMIT -> lines.add(app + " reached its time limit (" + e.limit() + ")" + stopped);
            case CPU_TIME_LIMIT -> lines.add(app + " used up its CPU-time limit (" + e.limit() + r.usage()
                    .map(u -> u.cpuUsageUsec() == null ? "" : ": " + seconds(u.cpuUsageUsec()) + " of CPU").orElse("")
                    + ")" + stopped);
            case KILLED -> lines.add(app + " (instance " + r.instance() + ") was killed" + (e.escalated()
                    ? ": it was asked to stop a second time while its stop was under way"
                    : " by an operator or a caller (sandbox-run kill, or the API)"));
            case STOP_TIMEOUT -> lines.add(app + " did not exit within the stop timeout (" + e.limit() + ") after"
                    + " SIGTERM, so every process was killed");
            case EXIT, SETUP_FAILURE, SUPERVISOR_DIED -> { }
        }
        for (Denial d : r.denials()) {
            if (d.syscall().startsWith("exec")) {
                lines.add("the seccomp profile (" + p.seccomp() + ") refused " + d.syscall() + " " + d.count()
                        + (d.count() == 1 ? " time" : " times") + " with " + io.sandboxrun.core.linux.Errno.name(d.errno())
                        + (p.seccomp().equals("strict") ? ": strict allows one exec, the app's own" : ""));
            }
        }
        return lines;
    }

    /** What a signal usually means here, where it points at a limit. */
    private static String why(int signal) {
        return switch (signal) {
            case 24 -> ": its CPU-time rlimit (rlimits.cpu) ran out; --cpu-time-limit stops the whole instance instead";
            case 25 -> ": it wrote past its file-size rlimit (rlimits.fsize)";
            case 31 -> ": its seccomp profile kills the process for a syscall it made";
            default -> "";
        };
    }

    private static String seconds(long usec) {
        return Durations.word(java.time.Duration.ofNanos(usec * 1000));
    }

    private Endings() {}
}
