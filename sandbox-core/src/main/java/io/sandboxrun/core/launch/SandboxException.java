package io.sandboxrun.core.launch;

/** Root of the runtime's failures: each knows the exit code the CLI reports for it. */
public class SandboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public SandboxException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public SandboxException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
