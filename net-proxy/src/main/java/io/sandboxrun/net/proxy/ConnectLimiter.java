package io.sandboxrun.net.proxy;

import io.sandboxrun.core.policy.NetworkPolicy;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Admission of an app's new outbound connections (DESIGN.md "The socket proxy", point 3): a token
 * bucket for the rate ({@code connectionsPerSecond} refill, {@code burst} capacity) and a cap on
 * connections open at once ({@code concurrent}). One per app, shared by all its instances, so
 * starting more instances does not multiply the allowance. Thread-safe: the notification thread
 * admits, the event loops release.
 *
 * <p>The bucket is kept as the time its next token becomes free (the generic cell rate algorithm):
 * one number, no refill timer, and exact for any clock step.
 */
public final class ConnectLimiter {
    /** The longest wait under {@code over-limit: delay}; a connect() that would wait longer is refused. */
    public static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

    public enum Kind { ADMITTED, RATE_LIMITED, TOO_MANY }

    /**
     * The answer to one connect().
     *
     * @param delayNanos for {@link Kind#ADMITTED}: how long to wait before dialling (over the
     *                   rate under {@code delay}; 0 within it); 0 for the other kinds
     */
    public record Admission(Kind kind, long delayNanos) {
        public boolean admitted() {
            return kind == Kind.ADMITTED;
        }
    }

    private static final Admission TOO_MANY = new Admission(Kind.TOO_MANY, 0);
    private static final Admission RATE_LIMITED = new Admission(Kind.RATE_LIMITED, 0);

    private final NetworkPolicy.Rates rates;
    private final LongSupplier clock;
    private final long interval;  // nanoseconds per token
    private final long tolerance; // how far ahead of now the next free token may be and still admit: burst - 1 tokens
    private long nextFree;        // guarded by this
    private int open;             // guarded by this

    public ConnectLimiter(NetworkPolicy.Rates rates) {
        this(rates, System::nanoTime);
    }

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@link System#nanoTime} outside tests)
     * @throws IllegalArgumentException when the rate, burst or concurrent limit is below 1
     */
    public ConnectLimiter(NetworkPolicy.Rates rates, LongSupplier nanoClock) {
        if (rates.connectionsPerSecond() < 1 || rates.burst() < 1 || rates.concurrent() < 1) {
            throw new IllegalArgumentException("connections-per-second, burst and concurrent must be at least 1: " + rates);
        }
        this.rates = rates;
        this.clock = nanoClock;
        this.interval = TimeUnit.SECONDS.toNanos(1) / rates.connectionsPerSecond();
        this.tolerance = (rates.burst() - 1) * interval;
        this.nextFree = nanoClock.getAsLong(); // a full bucket
    }

    /**
     * Decides one new connection. The concurrency cap is checked first and consumes nothing when
     * it refuses. Under {@code delay}, an admission over the rate reserves the next token and
     * says how long to wait for it; a wait over {@link #MAX_DELAY_NANOS} is refused and reserves
     * nothing. An admitted connection holds a slot until {@link #release()}.
     */
    public synchronized Admission admit() {
        if (open >= rates.concurrent()) return TOO_MANY;
        long now = clock.getAsLong();
        long start = nextFree - now > 0 ? nextFree : now; // compared as a difference: nanoTime may wrap
        long wait = start - now - tolerance;
        if (wait > 0 && (rates.overLimit() == NetworkPolicy.OverLimit.REFUSE || wait > MAX_DELAY_NANOS)) {
            return RATE_LIMITED;
        }
        nextFree = start + interval;
        open++;
        return new Admission(Kind.ADMITTED, Math.max(0, wait));
    }

    /** Gives back the slot of an admitted connection that ended (or never got going); never below zero. */
    public synchronized void release() {
        if (open > 0) open--;
    }

    /** Connections admitted and not yet released. */
    public synchronized int open() {
        return open;
    }

    /**
     * The words for an audit line's reason: {@code over the connection rate (20/s, burst 40)},
     * {@code 256 connections already open (concurrent limit)}, {@code delayed 250 ms: over the
     * connection rate (20/s, burst 40)}.
     */
    public String reason(Admission a) {
        String rate = "the connection rate (" + rates.connectionsPerSecond() + "/s, burst " + rates.burst() + ")";
        return switch (a.kind()) {
            case TOO_MANY -> rates.concurrent() + " connections already open (concurrent limit)";
            case RATE_LIMITED -> rates.overLimit() == NetworkPolicy.OverLimit.REFUSE ? "over " + rate
                    : "over " + rate + ", and the wait for a token would pass "
                            + TimeUnit.NANOSECONDS.toMillis(MAX_DELAY_NANOS) + " ms (over-limit: delay)";
            case ADMITTED -> a.delayNanos() > 0
                    ? "delayed " + TimeUnit.NANOSECONDS.toMillis(a.delayNanos()) + " ms: over " + rate
                    : "within " + rate;
        };
    }
}
