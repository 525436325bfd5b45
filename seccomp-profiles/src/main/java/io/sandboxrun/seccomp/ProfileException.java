package io.sandboxrun.seccomp;

import io.sandboxrun.core.document.LocatedException;

/**
 * An invalid seccomp profile: unreadable, not JSON, an unknown key, a bad value, a syscall the
 * native architecture's libseccomp does not know, or rules a filter cannot order. The message
 * reads {@code [source[:line:column]: ][field: ]detail}, for example
 * {@code my.json:7:21: syscalls[1].action: "SCMP_ACT_DENY" is not an action; use SCMP_ACT_ALLOW, ...}.
 */
public final class ProfileException extends LocatedException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source the profile as printed (a file, {@code bundled:NAME}), or null
     * @param line   1-based, 0 when unknown
     * @param column 1-based, 0 when unknown
     * @param field  the JSON path ({@code syscalls[2].args[0].op}), or null when the detail says it all
     * @param detail what is wrong and what is allowed
     */
    public ProfileException(String source, int line, int column, String field, String detail) {
        super(source, line, column, field, detail);
    }

    /** An error with no file behind it: a command-line value, a profile built in code. */
    public ProfileException(String detail) {
        this(null, 0, 0, null, detail);
    }
}
