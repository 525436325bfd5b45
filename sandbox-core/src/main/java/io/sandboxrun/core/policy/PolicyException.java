package io.sandboxrun.core.policy;

import io.sandboxrun.core.document.LocatedException;

/**
 * An invalid policy: a bad value, an unknown key, a file that cannot be read or parsed, or
 * settings that contradict each other. The message reads
 * {@code [source[:line:column]: ][field: ]detail}, for example
 * {@code sandbox.yaml:4:11: tmp-size: "256X" is not a size; use a number with K, M or G (e.g. 256M)}
 * or, for a command-line option, {@code --tmp-size: "12Q" is not a size; ...}.
 */
public final class PolicyException extends LocatedException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String source, int line, int column, String field, String detail) {
        super(source, line, column, field, detail);
    }

    /** An error about a field with no known source: a command-line option, or a value parser. */
    public static PolicyException of(String field, String detail) {
        return new PolicyException(null, 0, 0, field, detail);
    }

    /** This error placed at a location in a file, unless it already has a source. */
    public PolicyException at(String source, int line, int column) {
        if (source() != null) return this;
        PolicyException located = new PolicyException(source, line, column, field(), detail());
        located.setStackTrace(getStackTrace());
        return located;
    }
}
