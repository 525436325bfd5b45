package io.sandboxrun.core.policy;

/**
 * An invalid policy: a bad value, an unknown key, a file that cannot be read or parsed, or
 * settings that contradict each other. A usage error: the CLI exits with
 * {@code ExitCodes.USAGE} (2) and nothing has been created.
 *
 * <p>The message reads {@code [source[:line:column]: ][field: ]detail}, for example
 * {@code sandbox.yaml:4:11: tmp-size: "256X" is not a size; use a number with K, M or G (e.g. 256M)}
 * or, for a command-line option, {@code --tmp-size: "12Q" is not a size; ...}. Each part is also
 * available on its own.
 */
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String field;
    private final String detail;

    /**
     * @param source the file as printed, {@code null} when the field names a command-line option
     * @param line   1-based line in the file, 0 when unknown
     * @param column 1-based column in the file, 0 when unknown
     * @param field  the field path ({@code rlimits.nofile.soft}, {@code listen[1]}) or option name
     *               ({@code --tmp-size}); {@code null} when the detail says it all
     * @param detail what is wrong and what is allowed
     */
    public PolicyException(String source, int line, int column, String field, String detail) {
        super(format(source, line, column, field, detail));
        this.source = source;
        this.line = line;
        this.column = column;
        this.field = field;
        this.detail = detail;
    }

    /** An error about a field with no known source: a command-line option, or a value parser. */
    public static PolicyException of(String field, String detail) {
        return new PolicyException(null, 0, 0, field, detail);
    }

    /** This error placed at a location in a file, unless it already has a source. */
    public PolicyException at(String source, int line, int column) {
        if (this.source != null) return this;
        PolicyException located = new PolicyException(source, line, column, field, detail);
        located.setStackTrace(getStackTrace());
        return located;
    }

    /** The file as printed, or {@code null} for the command line or a bare value check. */
    public String source() { return source; }

    /** The field path or option name, or {@code null}. */
    public String field() { return field; }

    /** 1-based line in {@link #source()}, or 0 when unknown. */
    public int line() { return line; }

    /** 1-based column in {@link #source()}, or 0 when unknown. */
    public int column() { return column; }

    /** The message without the location and field prefix. */
    public String detail() { return detail; }

    private static String format(String source, int line, int column, String field, String detail) {
        return io.sandboxrun.core.launch.LocatedMessage.format(source, line, column, field, detail);
    }
}
