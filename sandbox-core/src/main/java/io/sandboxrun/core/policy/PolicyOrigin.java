package io.sandboxrun.core.policy;

/**
 * Where one setting of a policy came from, so that an error found later (when the sources are
 * merged) can point at it: a place in a policy file, or a command-line option.
 *
 * @param source the file as printed, {@code null} for a command-line option
 * @param line   1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param field  the field path in the file ({@code user.uid}, {@code ro-binds[1]}) or the option
 *               name ({@code --app-root})
 */
public record PolicyOrigin(String source, int line, int column, String field) {

    /** A setting given by the command-line option {@code name} (for example {@code --app-root}). */
    public static PolicyOrigin option(String name) {
        return new PolicyOrigin(null, 0, 0, name);
    }

    /** A setting of field {@code field} in {@code source}, place unknown. */
    public static PolicyOrigin of(String source, String field) {
        return new PolicyOrigin(source, 0, 0, field);
    }

    /** An error about this setting. */
    public PolicyException error(String detail) {
        return new PolicyException(source, line, column, field, detail);
    }
}
