package io.sandboxrun.seccomp;

import io.sandboxrun.core.linux.LibSeccomp;

/**
 * One argument comparison of a rule ({@code args[]} in the profile): argument {@code index}
 * (0..5) against {@code value}, or for {@link Comparison#MASKED_EQ} masked with {@code value} and
 * compared with {@code valueTwo}. Values are unsigned 64-bit, held in a {@code long}.
 */
public record ArgCondition(int index, long value, long valueTwo, Comparison op) {
    /** A syscall has six arguments, 0..5. */
    public static final int MAX_INDEX = 5;

    public ArgCondition {
        if (index < 0 || index > MAX_INDEX) throw new IllegalArgumentException("argument index " + index + " is not in 0..5");
        if (op == null) throw new IllegalArgumentException("no comparison");
    }

    /** {@code arg<index> OP value}. */
    public static ArgCondition of(int index, Comparison op, long value) {
        return new ArgCondition(index, value, 0, op);
    }

    /** {@code (arg<index> & mask) == expected}. */
    public static ArgCondition masked(int index, long mask, long expected) {
        return new ArgCondition(index, mask, expected, Comparison.MASKED_EQ);
    }

    /** Whether the call's arguments pass this comparison; missing arguments read as 0. */
    public boolean matches(long[] args) {
        long arg = index < args.length ? args[index] : 0;
        return op.test(arg, value, valueTwo);
    }

    /** Whether any argument value passes (a masked comparison whose expected bits lie outside its mask never does). */
    public boolean satisfiable() {
        return switch (op) {
            case MASKED_EQ -> (valueTwo & ~value) == 0;
            case LT -> value != 0;
            case GT -> value != -1L;
            default -> true;
        };
    }

    /**
     * Whether some value of the argument passes both comparisons (both on this argument). Exact,
     * for every pair of operators.
     */
    public boolean overlaps(ArgCondition o) {
        if (o.index != index) throw new IllegalArgumentException("argument " + index + " vs argument " + o.index);
        if (!satisfiable() || !o.satisfiable()) return false;
        if (op == Comparison.MASKED_EQ && o.op == Comparison.MASKED_EQ) {
            return ((valueTwo ^ o.valueTwo) & value & o.value) == 0;
        }
        if (op == Comparison.MASKED_EQ) return maskedOverlaps(o);
        if (o.op == Comparison.MASKED_EQ) return o.maskedOverlaps(this);
        if (op == Comparison.NE && o.op == Comparison.NE) return true;
        if (op == Comparison.NE) return o.rangeHasOtherThan(value);
        if (o.op == Comparison.NE) return rangeHasOtherThan(o.value);
        long lo = Long.compareUnsigned(low(), o.low()) >= 0 ? low() : o.low();
        long hi = Long.compareUnsigned(high(), o.high()) <= 0 ? high() : o.high();
        return Long.compareUnsigned(lo, hi) <= 0;
    }

    /** This masked comparison against a plain one. */
    private boolean maskedOverlaps(ArgCondition plain) {
        if (plain.op == Comparison.NE) return value != -1L || valueTwo != plain.value;
        return maskedInRange(plain.low(), plain.high(), value, valueTwo);
    }

    /** For a range comparison: whether it holds a value other than {@code v}. */
    private boolean rangeHasOtherThan(long v) {
        return !(low() == high() && low() == v);
    }

    /** The smallest value a range comparison passes (EQ, LT, LE, GE, GT; LT 0 is excluded by satisfiable()). */
    private long low() {
        return switch (op) {
            case EQ, GE -> value;
            case GT -> value + 1;
            default -> 0;
        };
    }

    /** The largest value a range comparison passes. */
    private long high() {
        return switch (op) {
            case EQ, LE -> value;
            case LT -> value - 1;
            default -> -1L;
        };
    }

    /**
     * Whether some {@code x} in {@code [lo, hi]} (unsigned) has {@code (x & mask) == expected}.
     * The smallest {@code x >= lo} that passes the mask is either {@code lo} itself, or keeps
     * {@code lo}'s bits above some position {@code i}, sets bit {@code i} where {@code lo} has 0,
     * and is minimal below it; the lowest feasible {@code i} gives the smallest.
     */
    static boolean maskedInRange(long lo, long hi, long mask, long expected) {
        if ((lo & mask) == expected) return Long.compareUnsigned(lo, hi) <= 0;
        for (int i = 0; i < 64; i++) {
            long bit = 1L << i;
            if ((lo & bit) != 0) continue;
            if ((mask & bit) != 0 && (expected & bit) == 0) continue;
            long above = i == 63 ? 0 : -1L << (i + 1);
            if ((lo & above & mask) != (expected & above)) continue;
            long smallest = (lo & above) | bit | (expected & (bit - 1));
            return Long.compareUnsigned(smallest, hi) <= 0;
        }
        return false;
    }

    /** The same comparison as libseccomp's {@code struct scmp_arg_cmp}. */
    public LibSeccomp.ArgCmp toLibseccomp() {
        return new LibSeccomp.ArgCmp(index, op.toLibseccomp(), value, valueTwo);
    }

    /** {@code arg0 & 0x10000 == 0x10000}, {@code arg1 == 0x5412}, {@code arg2 != 0}: hex from 10 up. */
    @Override
    public String toString() {
        if (op == Comparison.MASKED_EQ) return "arg" + index + " & " + number(value) + " == " + number(valueTwo);
        return "arg" + index + " " + op.symbol() + " " + number(value);
    }

    /** A value as {@link #toString()} writes it. */
    public static String number(long v) {
        return Long.compareUnsigned(v, 10) < 0 ? Long.toString(v) : "0x" + Long.toHexString(v);
    }
}
