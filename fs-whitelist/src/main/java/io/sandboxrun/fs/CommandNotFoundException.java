package io.sandboxrun.fs;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;

/** argv[0] (or an interpreter it names) does not exist inside the sandbox: exit 127. */
public final class CommandNotFoundException extends SetupException {
    private static final long serialVersionUID = 1L;
    private final String command;

    public CommandNotFoundException(String command, String message) {
        super(FsSteps.RESOLVE_COMMAND, message, ExitCodes.NOT_FOUND);
        this.command = command;
    }

    /** The name or path that was not found. */
    public String command() { return command; }
}
