package io.sandboxrun.core.launch;

/**
 * Exit codes of {@code sandbox-run}, as podman and docker {@code run} use them: the app's own
 * status is passed through (its exit code, or 128+signal); the runtime's failures have their own.
 */
public final class ExitCodes {
    /** Bad usage or an invalid policy: nothing was created. */
    public static final int USAGE = 2;
    /** The sandbox could not be set up; the message names the step and why. */
    public static final int SETUP_FAILED = 125;
    /** The command was found but could not be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** The command was not found inside the sandbox. */
    public static final int NOT_FOUND = 127;
    /** Added to the signal number when the app was killed by a signal. */
    public static final int SIGNAL_BASE = 128;

    private ExitCodes() {}
}
