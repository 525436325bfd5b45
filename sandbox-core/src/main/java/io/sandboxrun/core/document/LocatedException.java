package io.sandboxrun.core.document;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SandboxException;

/**
 * Bad input that can point at where it stands: a policy or a seccomp profile, from a file, the
 * command line or code. A usage error: the CLI exits with {@link ExitCodes#USAGE} (2) and nothing
 * has been created.
 *
 * <p>The message reads {@code [source[:line:column]: ][field: ]detail}, for example
 * {@code sandbox.yaml:4:11: tmp-size: "256X" is not a size; use a number with K, M or G (e.g. 256M)};
 * each part is also available on its own.
 */
public abstract class LocatedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String field;
    private final String detail;

    /**
     * @param source the document as printed (a file, {@code bundled:python}), {@code null} for a
     *               command-line option or a value checked on its own
     * @param line   1-based line, 0 when unknown
     * @param column 1-based column, 0 when unknown
     * @param field  the field path ({@code limits.memory}, {@code syscalls[2].args[0].op}) or the
     *               option ({@code --memory}); {@code null} when the detail says it all
     * @param detail what is wrong and what is allowed
     */
    protected LocatedException(String source, int line, int column, String field, String detail) {
        super(format(source, line, column, field, detail), ExitCodes.USAGE);
        this.source = source;
        this.line = line;
        this.column = column;
        this.field = field;
        this.detail = detail;
    }

    /** The document as printed, or {@code null}. */
    public String source() { return source; }

    /** 1-based line in {@link #source()}, or 0 when unknown. */
    public int line() { return line; }

    /** 1-based column in {@link #source()}, or 0 when unknown. */
    public int column() { return column; }

    /** The field path or option name, or {@code null}. */
    public String field() { return field; }

    /** The message without the location and field prefix. */
    public String detail() { return detail; }

    /** {@code file:line:column: field: detail}, each part left out when unknown. */
    private static String format(String source, int line, int column, String field, String detail) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source);
            if (line > 0) sb.append(':').append(line).append(':').append(column);
            sb.append(": ");
        }
        if (field != null) sb.append(field).append(": ");
        return sb.append(detail).toString();
    }

    /** Makes the exception type of one kind of document from its parts. */
    @FunctionalInterface
    public interface Factory<E extends LocatedException> {
        E create(String source, int line, int column, String field, String detail);
    }
}
