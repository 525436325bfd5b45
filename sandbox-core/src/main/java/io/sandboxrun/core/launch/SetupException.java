package io.sandboxrun.core.launch;

/** The sandbox could not be set up before the app ran (exit 125, or 126/127 for the command). */
public class SetupException extends SandboxException {
    private static final long serialVersionUID = 1L;
    private final String step;

    public SetupException(String step, String message, int exitCode) {
        super(message, exitCode);
        this.step = step;
    }

    public SetupException(String step, String message, Throwable cause) {
        super(message, ExitCodes.SETUP_FAILED, cause);
        this.step = step;
    }

    /** The stable name of the step that failed. */
    public String step() { return step; }
}
