package io.sandboxrun.core.launch;

import java.util.Locale;

/**
 * In one word, how an instance ended, with the limit that ended it where one did.
 *
 * @param reason    what ended it
 * @param limit     the limit's value as the policy writes it ({@code 2s}, {@code 256M}), or null
 * @param escalated whether the app outlived its stop timeout and every process was killed
 */
public record Ending(Reason reason, String limit, boolean escalated) {
    public Ending {
        java.util.Objects.requireNonNull(reason, "reason");
    }

    public static Ending of(Reason reason) {
        return new Ending(reason, null, false);
    }

    /** What ended an instance. */
    public enum Reason {
        /** The app exited on its own, with a code. */
        EXIT,
        /** A signal the runtime did not send killed the app (a crash, the app's own kill, a forwarded one). */
        SIGNAL,
        /** The kernel's OOM killer ended the app at its memory limit. */
        OOM,
        /** The wall-clock time limit was reached. */
        TIME_LIMIT,
        /** The CPU-time limit was reached. */
        CPU_TIME_LIMIT,
        /**
         * An operator or the API killed it ({@code sandbox-run kill}, {@code Instance.kill()}, a
         * second stop while one is under way: a second Ctrl-C).
         */
        KILLED,
        /** It was stopped (SIGTERM or SIGINT to sandbox-run) and outlived its stop timeout: every process was killed. */
        STOP_TIMEOUT,
        /** The sandbox could not be set up, or the command could not be executed. */
        SETUP_FAILURE,
        /** The sandbox's supervisor (sandbox-init) died: how the app ended is unknown. */
        SUPERVISOR_DIED;

        /** As the result JSON writes it: {@code time-limit}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
