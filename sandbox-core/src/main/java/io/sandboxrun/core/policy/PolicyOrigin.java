package io.sandboxrun.core.policy;

import java.util.Map;
import java.util.function.Supplier;

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

    /**
     * Runs a check of the value set here; its error, which a value parser makes with the field but
     * no place, is placed here.
     */
    public <T> T check(Supplier<T> check) {
        try {
            return check.get();
        } catch (PolicyException e) {
            throw e.at(source, line, column);
        }
    }

    /**
     * Where {@code field} was set by the {@code origins} of one source: its own origin, else that of
     * the enclosing field, else just {@code source}.
     */
    static PolicyOrigin find(Map<String, PolicyOrigin> origins, String field, String source) {
        for (String f = field; f != null; f = parent(f)) {
            PolicyOrigin o = origins.get(f);
            if (o != null) return o;
        }
        return of(source, field);
    }

    /** The field enclosing {@code field} ({@code limits} of {@code limits.io[0]}), or null at the top. */
    private static String parent(String field) {
        int cut = Math.max(field.lastIndexOf('.'), field.lastIndexOf('['));
        return cut > 0 ? field.substring(0, cut) : null;
    }
}
