package io.sandboxrun.seccomp;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SandboxException;

/**
 * An invalid seccomp profile: unreadable, not JSON, an unknown key, a bad value, a syscall the
 * native architecture's libseccomp does not know, or rules a filter cannot order. A usage error:
 * the CLI exits with {@link ExitCodes#USAGE} (2) and nothing has been created.
 *
 * <p>The message reads {@code [source[:line:column]: ][field: ]detail}, for example
 * {@code my.json:7:21: syscalls[1].action: "SCMP_ACT_DENY" is not an action; use SCMP_ACT_ALLOW, ...}.
 * Each part is also available on its own.
 */
public final class ProfileException extends SandboxException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String field;
    private final String detail;

    /**
     * @param source the profile as printed (a file, {@code bundled:NAME}), or null
     * @param line   1-based, 0 when unknown
     * @param column 1-based, 0 when unknown
     * @param field  the JSON path ({@code syscalls[2].args[0].op}), or null when the detail says it all
     * @param detail what is wrong and what is allowed
     */
    public ProfileException(String source, int line, int column, String field, String detail) {
        super(format(source, line, column, field, detail), ExitCodes.USAGE);
        this.source = source;
        this.line = line;
        this.column = column;
        this.field = field;
        this.detail = detail;
    }

    /** An error with no file behind it (a profile built in code, a command-line value). */
    public static ProfileException of(String field, String detail) {
        return new ProfileException(null, 0, 0, field, detail);
    }

    public String source() { return source; }

    public int line() { return line; }

    public int column() { return column; }

    public String field() { return field; }

    /** The message without the location and field prefix. */
    public String detail() { return detail; }

    private static String format(String source, int line, int column, String field, String detail) {
        return io.sandboxrun.core.launch.LocatedMessage.format(source, line, column, field, detail);
    }
}
