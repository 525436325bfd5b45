package io.sandboxrun.core.policy;

/** Soft and hard value of one rlimit; {@link #UNLIMITED} stands for RLIM_INFINITY. */
public record RlimitValue(long soft, long hard) {
    public static final long UNLIMITED = -1;

    /**
     * @throws IllegalArgumentException when a value is below {@link #UNLIMITED}, or soft exceeds
     *                                  hard (an unlimited soft over a finite hard included:
     *                                  setrlimit(2) refuses both with EINVAL)
     */
    public RlimitValue {
        if (soft < UNLIMITED || hard < UNLIMITED) {
            throw new IllegalArgumentException("negative rlimit value: soft " + soft + ", hard " + hard);
        }
        if (soft == UNLIMITED ? hard != UNLIMITED : hard != UNLIMITED && soft > hard) {
            throw new IllegalArgumentException("soft " + word(soft) + " above hard " + word(hard));
        }
    }

    public static RlimitValue of(long both) { return new RlimitValue(both, both); }

    /** As written in the helper plan: a number or {@code unlimited}. */
    public static String word(long v) { return v == UNLIMITED ? "unlimited" : Long.toString(v); }
}
