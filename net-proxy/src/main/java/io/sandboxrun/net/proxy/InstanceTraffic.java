package io.sandboxrun.net.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's outbound connections, for its RunResult: the notification handler counts the
 * connect() decisions, the proxy the bytes and the open connections. Thread-safe and cheap to
 * update from many threads (adders, not locks).
 */
public final class InstanceTraffic {
    /**
     * A snapshot.
     *
     * @param bytesIn  bytes delivered towards the app
     * @param bytesOut bytes delivered from the app to its destinations
     * @param open     proxied connections open at the moment of the snapshot
     */
    public record Totals(long allowed, long denied, long bytesIn, long bytesOut, long open) {}

    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder open = new LongAdder();

    /** A connect() that was let through to the proxy. */
    public void allowed() {
        allowed.increment();
    }

    /** A connect() that was refused (by the allowlist, the limits, or the proxy itself). */
    public void denied() {
        denied.increment();
    }

    public Totals totals() {
        return new Totals(allowed.sum(), denied.sum(), bytesIn.sum(), bytesOut.sum(), open.sum());
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    void bytesOut(long n) {
        bytesOut.add(n);
    }

    void opened() {
        open.increment();
    }

    void closed() {
        open.decrement();
    }
}
