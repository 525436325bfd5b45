package io.sandboxrun.core.launch;

/**
 * The one shape of a bad-input message, for policies and seccomp profiles alike:
 * {@code file:line:column: field: detail}, each part left out when unknown.
 */
public final class LocatedMessage {
    public static String format(String source, int line, int column, String field, String detail) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source);
            if (line > 0) sb.append(':').append(line).append(':').append(column);
            sb.append(": ");
        }
        if (field != null) sb.append(field).append(": ");
        return sb.append(detail).toString();
    }

    private LocatedMessage() {}
}
