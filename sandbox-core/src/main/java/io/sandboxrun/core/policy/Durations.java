package io.sandboxrun.core.policy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as policies write them: {@code 30s}, {@code 500ms}, {@code 5m}, {@code 1h30m},
 * {@code 1.5s}; a bare number is seconds. {@link #NONE} ({@code none}) is "no limit".
 */
public final class Durations {
    /** "No limit": lifts a time limit an earlier source set. */
    public static final Duration NONE = Duration.ZERO;
    private static final Pattern PART = Pattern.compile("([0-9]{1,9})(?:\\.([0-9]{1,3}))?(ms|s|m|h|d)");
    private static final Pattern BARE = Pattern.compile("([0-9]{1,9})(?:\\.([0-9]{1,3}))?");
    private static final String HINT = "use a number with ms, s, m, h or d (e.g. 30s, 5m, 1h30m)";

    /** A time limit: {@code min} to {@code max}, or {@code none} ({@link #NONE}). */
    static Duration limit(String field, String text, String shown, Duration min, Duration max) {
        if (text.equals("none")) return NONE;
        return within(field, text, shown, min, max, HINT + ", or none");
    }

    /** A duration from {@code min} to {@code max}; {@code none} is not one. */
    static Duration within(String field, String text, String shown, Duration min, Duration max, String hint) {
        Duration d = parse(text);
        if (d == null) throw PolicyException.of(field, shown + " is not a duration; " + hint);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw PolicyException.of(field, shown + " is out of range; use " + word(min) + " to " + word(max));
        }
        return d;
    }

    static String hint() {
        return HINT;
    }

    /** {@code d} as written in a policy: {@code 1h30m}, {@code 2.5s}, {@code 500ms}, {@code none} for {@link #NONE}. */
    public static String word(Duration d) {
        if (d.isZero()) return "none";
        long ms = d.toMillis();
        StringBuilder sb = new StringBuilder();
        long[] units = {86_400_000, 3_600_000, 60_000};
        String[] names = {"d", "h", "m"};
        for (int i = 0; i < units.length; i++) {
            if (ms >= units[i]) {
                sb.append(ms / units[i]).append(names[i]);
                ms %= units[i];
            }
        }
        if (ms >= 1000) {
            sb.append(ms / 1000);
            if (ms % 1000 != 0) sb.append('.').append(String.format("%03d", ms % 1000).replaceAll("0+$", ""));
            sb.append('s');
        } else if (ms > 0) {
            sb.append(ms).append("ms");
        }
        return sb.toString();
    }

    /** The duration {@code text} writes, or null when it is not one. */
    private static Duration parse(String text) {
        Matcher bare = BARE.matcher(text);
        if (bare.matches()) return amount(bare.group(1), bare.group(2), "s");
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        String last = null;
        while (m.find() && m.start() == at) {
            // Largest unit first, each once: 1h30m, not 30m1h or 1m1m.
            if (last != null && rank(m.group(3)) >= rank(last)) return null;
            total = total.plus(amount(m.group(1), m.group(2), m.group(3)));
            last = m.group(3);
            at = m.end();
        }
        return at == text.length() && at > 0 ? total : null;
    }

    private static int rank(String unit) {
        return switch (unit) {
            case "d" -> 4;
            case "h" -> 3;
            case "m" -> 2;
            case "s" -> 1;
            default -> 0;
        };
    }

    private static Duration amount(String whole, String fraction, String unit) {
        long ms = switch (unit) {
            case "d" -> 86_400_000L;
            case "h" -> 3_600_000L;
            case "m" -> 60_000L;
            case "s" -> 1_000L;
            default -> 1L;
        };
        long f = fraction == null ? 0 : Long.parseLong((fraction + "00").substring(0, 3));
        return Duration.ofMillis(Long.parseLong(whole) * ms + f * ms / 1000);
    }

    private Durations() {}
}
