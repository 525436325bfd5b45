package io.sandboxrun.fs;

import java.util.List;

/**
 * Where the app's command is inside the sandbox and what must be made visible for it to run.
 *
 * @param command      argv[0] as the policy gave it
 * @param executable   absolute inside path handed to execve (symlinks not resolved, so a venv's
 *                     {@code bin/python} keeps its prefix)
 * @param hostPath     the host file that path resolves to
 * @param status       whether execve can be expected to work
 * @param problem      why not, when {@link Status#NOT_EXECUTABLE}; null otherwise
 * @param binds        host paths to bind read-only at the same path inside (interpreter
 *                     prefixes, library directories, files), in discovery order
 * @param interpreters the #! chain after the command, e.g. {@code [/usr/bin/env, /usr/bin/node]}
 * @param warnings     what discovery could not settle (a library the host loader cannot find,
 *                     a foreign loader); the launcher logs them at WARN
 */
public record CommandResolution(
        String command,
        String executable,
        String hostPath,
        Status status,
        String problem,
        List<String> binds,
        List<String> interpreters,
        List<String> warnings) {

    public enum Status {
        /** A regular file with an execute bit, an ELF binary or a #! script whose interpreters are too. */
        EXECUTABLE,
        /** Found, but execve will fail (exit 126): a directory, no execute bit, or an unknown format. */
        NOT_EXECUTABLE
    }

    public CommandResolution {
        binds = List.copyOf(binds);
        interpreters = List.copyOf(interpreters);
        warnings = List.copyOf(warnings);
    }
}
