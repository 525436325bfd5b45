package io.sandboxrun.net.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.NetworkPolicy.OverLimit;
import io.sandboxrun.net.proxy.ConnectLimiter.Admission;
import io.sandboxrun.net.proxy.ConnectLimiter.Kind;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token bucket and the concurrency cap on a fake clock. */
class ConnectLimiterTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private long now = 1_000_000 * MS; // any start: only differences count

    private ConnectLimiter limiter(int perSecond, int burst, OverLimit over, int concurrent) {
        return new ConnectLimiter(new NetworkPolicy.Rates(perSecond, burst, over, concurrent, 0L, 0L), () -> now);
    }

    @Test
    void burstIsAdmittedAtOnceAndOneMoreIsRefused() {
        ConnectLimiter l = limiter(10, 5, OverLimit.REFUSE, 100);
        for (int i = 0; i < 5; i++) assertEquals(new Admission(Kind.ADMITTED, 0), l.admit(), "connection " + i);
        assertEquals(new Admission(Kind.RATE_LIMITED, 0), l.admit());
        assertEquals(5, l.open());
    }

    @Test
    void tokensComeBackAtTheRate() {
        ConnectLimiter l = limiter(10, 5, OverLimit.REFUSE, 100);
        for (int i = 0; i < 5; i++) l.admit();
        now += 99 * MS;
        assertEquals(Kind.RATE_LIMITED, l.admit().kind()); // a token every 100 ms
        now += MS;
        assertEquals(Kind.ADMITTED, l.admit().kind());
        assertEquals(Kind.RATE_LIMITED, l.admit().kind());
        now += 10_000 * MS; // a quiet spell refills the bucket to the burst, not beyond
        for (int i = 0; i < 5; i++) assertEquals(Kind.ADMITTED, l.admit().kind());
        assertEquals(Kind.RATE_LIMITED, l.admit().kind());
    }

    @Test
    void delayModeReservesTheNextTokensAndSaysHowLongToWait() {
        ConnectLimiter l = limiter(4, 2, OverLimit.DELAY, 100);
        assertEquals(new Admission(Kind.ADMITTED, 0), l.admit());
        assertEquals(new Admission(Kind.ADMITTED, 0), l.admit());
        assertEquals(new Admission(Kind.ADMITTED, 250 * MS), l.admit());
        assertEquals(new Admission(Kind.ADMITTED, 500 * MS), l.admit());
        now += 100 * MS;
        assertEquals(new Admission(Kind.ADMITTED, 650 * MS), l.admit());
        assertEquals(new Admission(Kind.ADMITTED, 900 * MS), l.admit());
    }

    @Test
    void delayModeRefusesAWaitOverOneSecondAndReservesNothing() {
        ConnectLimiter l = limiter(1, 1, OverLimit.DELAY, 100);
        assertEquals(new Admission(Kind.ADMITTED, 0), l.admit());
        assertEquals(new Admission(Kind.ADMITTED, 1000 * MS), l.admit()); // exactly one second is still waited
        assertEquals(new Admission(Kind.RATE_LIMITED, 0), l.admit());    // would be two
        assertEquals(2, l.open());
        now += 1000 * MS; // the refusal took no token: the next waits one second again, not two
        assertEquals(new Admission(Kind.ADMITTED, 1000 * MS), l.admit());
    }

    @Test
    void concurrencyCapIsCheckedFirstAndTakesNoToken() {
        ConnectLimiter l = limiter(1, 2, OverLimit.REFUSE, 1);
        assertEquals(Kind.ADMITTED, l.admit().kind());
        assertEquals(new Admission(Kind.TOO_MANY, 0), l.admit());
        l.release();
        assertEquals(Kind.ADMITTED, l.admit().kind()); // the second token of the burst is still there
    }

    @Test
    void releaseNeverGoesBelowZero() {
        ConnectLimiter l = limiter(10, 10, OverLimit.REFUSE, 2);
        l.admit();
        l.release();
        l.release();
        assertEquals(0, l.open());
        assertEquals(Kind.ADMITTED, l.admit().kind());
        assertEquals(Kind.ADMITTED, l.admit().kind());
        assertEquals(Kind.TOO_MANY, l.admit().kind());
    }

    @Test
    void reasonsNameTheLimit() {
        ConnectLimiter refuse = limiter(20, 40, OverLimit.REFUSE, 256);
        assertEquals("over the connection rate (20/s, burst 40)", refuse.reason(new Admission(Kind.RATE_LIMITED, 0)));
        assertEquals("256 connections already open (concurrent limit)", refuse.reason(new Admission(Kind.TOO_MANY, 0)));
        assertEquals("within the connection rate (20/s, burst 40)", refuse.reason(new Admission(Kind.ADMITTED, 0)));
        ConnectLimiter delay = limiter(20, 40, OverLimit.DELAY, 256);
        assertEquals("delayed 250 ms: over the connection rate (20/s, burst 40)",
                delay.reason(new Admission(Kind.ADMITTED, 250 * MS)));
        assertEquals("over the connection rate (20/s, burst 40), and the wait for a token would pass 1000 ms"
                + " (over-limit: delay)", delay.reason(new Admission(Kind.RATE_LIMITED, 0)));
    }

    @Test
    void limitsBelowOneAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> limiter(0, 1, OverLimit.REFUSE, 1));
        assertEquals("connections-per-second, burst and concurrent must be at least 1: "
                + "Rates[connectionsPerSecond=0, burst=1, overLimit=REFUSE, concurrent=1, bytesPerSecondIn=0, bytesPerSecondOut=0]",
                e.getMessage());
    }
}
