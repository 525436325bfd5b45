package io.sandboxrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Argument comparisons: 64-bit unsigned semantics, and the exact overlap test the conflict check relies on. */
class ArgConditionTest {
    @Test
    void comparesSixtyFourBitsUnsigned() {
        assertTrue(ArgCondition.of(0, Comparison.GT, 5).matches(new long[] {-1L}));
        assertFalse(ArgCondition.of(0, Comparison.LT, 5).matches(new long[] {-1L}));
        assertFalse(ArgCondition.of(1, Comparison.EQ, 0x5412).matches(new long[] {0, 0x1_0000_5412L}));
        assertTrue(ArgCondition.masked(1, 0xffffffffL, 0x5412).matches(new long[] {0, 0x1_0000_5412L}));
        assertTrue(ArgCondition.of(3, Comparison.EQ, 0).matches(new long[] {7}));   // a missing argument reads 0
    }

    @Test
    void printsAsTheExplanationsDo() {
        assertEquals("arg0 & 0x10000 == 0x10000", ArgCondition.masked(0, 0x10000, 0x10000).toString());
        assertEquals("arg2 != 0", ArgCondition.of(2, Comparison.NE, 0).toString());
        assertEquals("arg0 == 0xffffffffffffffff", ArgCondition.of(0, Comparison.EQ, -1L).toString());
    }

    /**
     * With values and masks below 16, any overlap has a witness below 64 (ranges either end below 16
     * or run to 2^64-1, masks look at 4 bits), so brute force over 0..63 is an exact oracle.
     */
    @Test
    void overlapAgreesWithBruteForceOnSmallValues() {
        Random r = new Random(7);
        Comparison[] ops = Comparison.values();
        for (int i = 0; i < 20_000; i++) {
            ArgCondition a = random(r, ops), b = random(r, ops);
            boolean brute = false;
            for (long x = 0; x < 64 && !brute; x++) brute = a.matches(new long[] {x}) && b.matches(new long[] {x});
            assertEquals(brute, a.overlaps(b), a + " vs " + b);
            assertEquals(brute, b.overlaps(a), b + " vs " + a);
        }
    }

    @Test
    void overlapHoldsAtTheTopOfTheRange() {
        assertTrue(ArgCondition.of(0, Comparison.GT, -2L).overlaps(ArgCondition.masked(0, -1L, -1L)));
        assertFalse(ArgCondition.of(0, Comparison.GT, -1L).overlaps(ArgCondition.of(0, Comparison.NE, 3)));
        assertFalse(ArgCondition.of(0, Comparison.LT, 0x80000000L).overlaps(ArgCondition.masked(0, 0x80000000L, 0x80000000L)));
        assertTrue(ArgCondition.of(0, Comparison.GE, 0x80000000L).overlaps(ArgCondition.masked(0, 0xffffffffL, 0x5412)));
        assertFalse(ArgCondition.masked(0, -1L, 7).overlaps(ArgCondition.of(0, Comparison.NE, 7)));
        assertFalse(ArgCondition.masked(0, 0xf, 3).overlaps(ArgCondition.masked(0, 0x3, 1)));
    }

    private static ArgCondition random(Random r, Comparison[] ops) {
        Comparison op = ops[r.nextInt(ops.length)];
        long v = r.nextInt(16), v2 = r.nextInt(16);
        return op == Comparison.MASKED_EQ ? ArgCondition.masked(0, v, v2 & (r.nextBoolean() ? v : 0xf)) : ArgCondition.of(0, op, v);
    }
}
