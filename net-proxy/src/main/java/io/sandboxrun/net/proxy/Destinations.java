package io.sandboxrun.net.proxy;

import io.sandboxrun.net.Allowlist;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One instance's redirected connections waiting for the proxy: the launcher records {@code app
 * socket's local address -> original destination} before it connects the app's socket to the
 * proxy listener, and the proxy takes the entry when it accepts that socket (the accepted
 * channel's remote address is the app socket's local address). Thread-safe: the notification
 * thread puts, the event loops take.
 *
 * <p>Each entry holds a {@link ConnectLimiter} slot. An entry nobody takes (the app closed its
 * socket before the proxy accepted it) would hold it for ever, so entries older than
 * {@link #MAX_AGE_NANOS} are dropped on the next {@link #put}, as is an entry a new one replaces,
 * and each dropped entry goes to the {@code dropped} callback, whose owner releases the slot.
 * The table stays small: every entry holds a slot, so there are at most {@code concurrent}.
 */
public final class Destinations {
    /** How long an entry waits for its accept; an accept takes milliseconds, so this is only for leftovers. */
    public static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * Where a redirected connection was going.
     *
     * @param decision     the allowlist's decision (its rule and name go into the close line)
     * @param delayNanos   the admission's wait before dialling ({@link ConnectLimiter.Admission#delayNanos()})
     * @param createdNanos {@link System#nanoTime()} when the launcher admitted it; the wait counts from here
     */
    public record Pending(InetAddress address, int port, Allowlist.Decision decision, long delayNanos, long createdNanos) {}

    private final Map<InetSocketAddress, Pending> table = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final Consumer<Pending> dropped;

    /** @param dropped gets each entry dropped without being taken (typically: release its limiter slot) */
    public Destinations(Consumer<Pending> dropped) {
        this(System::nanoTime, dropped);
    }

    Destinations(LongSupplier nanoClock, Consumer<Pending> dropped) {
        this.clock = nanoClock;
        this.dropped = dropped;
    }

    /** Records where the app socket bound to {@code appLocal} was going; drops stale entries first. */
    public void put(InetSocketAddress appLocal, Pending p) {
        sweep();
        Pending old = table.put(key(appLocal), p);
        if (old != null) dropped.accept(old);
    }

    /** Removes and returns the entry for the accepted connection whose remote address is {@code appLocal}. */
    public Optional<Pending> take(InetSocketAddress appLocal) {
        return Optional.ofNullable(table.remove(key(appLocal)));
    }

    /** Undoes {@link #put} after the redirect failed; false when the entry is gone (taken, dropped or replaced). */
    public boolean remove(InetSocketAddress appLocal, Pending p) {
        return table.remove(key(appLocal), p);
    }

    /** Entries waiting now. */
    public int size() {
        return table.size();
    }

    private void sweep() {
        long now = clock.getAsLong();
        for (Map.Entry<InetSocketAddress, Pending> e : table.entrySet()) {
            Pending p = e.getValue();
            if (now - p.createdNanos() > MAX_AGE_NANOS && table.remove(e.getKey(), p)) dropped.accept(p);
        }
    }

    /**
     * The address as a key: a v4-mapped IPv6 address ({@code ::ffff:127.0.0.1}, what a dual-stack
     * listener reports for an IPv4 peer) becomes the IPv4 address, so the launcher's and the
     * accepted channel's views of one socket are equal.
     */
    static InetSocketAddress key(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            if (Arrays.mismatch(b, 0, 12, V4_MAPPED, 0, 12) == -1) {
                try {
                    return new InetSocketAddress(Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16)), a.getPort());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("a 4-byte address is always valid", e);
                }
            }
        }
        return a;
    }

    private static final byte[] V4_MAPPED = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
}
