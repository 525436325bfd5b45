package io.sandboxrun.seccomp;

import io.sandboxrun.core.linux.LibSeccomp;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a rule compares a syscall argument ({@code SCMP_CMP_*}): on the argument's full 64 bits,
 * unsigned, as libseccomp's filters do on 64-bit architectures.
 */
public enum Comparison {
    NE("!="), LT("<"), LE("<="), EQ("=="), GE(">="), GT(">"),
    /** {@code (arg & value) == valueTwo}. */
    MASKED_EQ("&");

    /** Every comparison by its profile name. */
    static final Map<String, Comparison> NAMES =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Comparison::ociName, Function.identity()));

    private final String symbol;

    Comparison(String symbol) { this.symbol = symbol; }

    /** {@code SCMP_CMP_<name>}. */
    public String ociName() { return "SCMP_CMP_" + name(); }

    /** The operator as {@link ArgCondition#toString()} writes it. */
    String symbol() { return symbol; }

    /** Whether {@code arg} passes: {@code arg OP value}, or {@code (arg & value) == valueTwo}. */
    public boolean test(long arg, long value, long valueTwo) {
        int c = Long.compareUnsigned(arg, value);
        return switch (this) {
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case EQ -> c == 0;
            case GE -> c >= 0;
            case GT -> c > 0;
            case MASKED_EQ -> (arg & value) == valueTwo;
        };
    }

    /** libseccomp's {@code enum scmp_compare} value. */
    public LibSeccomp.Op toLibseccomp() {
        return LibSeccomp.Op.valueOf(name());
    }
}
