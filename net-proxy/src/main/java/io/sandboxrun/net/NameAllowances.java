package io.sandboxrun.net;

import io.sandboxrun.core.policy.NetRule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The addresses that host rules currently allow: what the DNS forwarder saw each allowed name
 * resolve to, until the answer's TTL runs out. One instance per app, shared by its instances (a
 * name one instance resolved is good for all of them, as in a shared resolver cache). Thread-safe.
 */
public final class NameAllowances {
    /**
     * Shortest allowance: a TTL of 0 ("do not cache") must still let the app connect to the
     * address it was just given.
     */
    public static final long TTL_MIN_SECONDS = 1;
    /** Longest allowance: a resolver's week-long TTL must not pin an address that long. */
    public static final long TTL_MAX_SECONDS = 86_400;
    /** How long an expired allowance is kept, so that a denial can say it expired rather than never was. */
    public static final long EXPIRED_KEPT_MILLIS = 10 * 60_000;
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    /** An address that host rule {@code rule} allows because {@code name} resolved to it, until {@code expiresAt}. */
    public record Grant(NetRule.Host rule, String name, InetAddress ip, long expiresAt) {
        public boolean expired(long nowMillis) {
            return nowMillis >= expiresAt;
        }

        /** Whole seconds left, rounded up (0 once expired). */
        public long secondsLeft(long nowMillis) {
            return Math.max(0, (expiresAt - nowMillis + 999) / 1000);
        }
    }

    private record Key(NetRule.Host rule, String name) {}

    // Guarded by this. Few entries per app, looked up once per connect(): one lock is enough.
    private final Map<InetAddress, Map<Key, Long>> byIp = new HashMap<>();
    private long lastSweep;

    /**
     * Allows {@code ip} (unwrapped first) under {@code rule} for {@code ttlSeconds} clamped to
     * {@link #TTL_MIN_SECONDS}..{@link #TTL_MAX_SECONDS}. An allowance already there is only
     * ever extended: a later answer with a shorter TTL does not cut short what was given.
     */
    public synchronized void record(NetRule.Host rule, String name, InetAddress ip, long ttlSeconds, long nowMillis) {
        long ttl = Math.max(TTL_MIN_SECONDS, Math.min(TTL_MAX_SECONDS, ttlSeconds));
        long until = nowMillis + ttl * 1000;
        byIp.computeIfAbsent(AddressRanges.unwrap(ip), k -> new HashMap<>()).merge(new Key(rule, name), until, Math::max);
        sweep(nowMillis);
    }

    /**
     * An unexpired allowance of {@code ip} (unwrapped first) whose rule covers {@code port}; the
     * one that lasts longest when there are several.
     */
    public synchronized Optional<Grant> find(InetAddress ip, int port, long nowMillis) {
        Grant best = null;
        for (Grant g : grants(ip, nowMillis)) {
            if (!g.expired(nowMillis) && g.rule().coversPort(port) && (best == null || g.expiresAt() > best.expiresAt())) {
                best = g;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Every allowance of {@code ip} (unwrapped first), including those that expired less than
     * {@link #EXPIRED_KEPT_MILLIS} ago, for explaining a denial.
     */
    public synchronized List<Grant> grants(InetAddress ip, long nowMillis) {
        sweep(nowMillis);
        InetAddress a = AddressRanges.unwrap(ip);
        Map<Key, Long> m = byIp.get(a);
        if (m == null) return List.of();
        List<Grant> out = new ArrayList<>(m.size());
        m.forEach((k, until) -> out.add(new Grant(k.rule(), k.name(), a, until)));
        return out;
    }

    /** Number of addresses held (expired ones not yet pruned included). */
    public synchronized int size() {
        return byIp.size();
    }

    /** Drops allowances expired longer than {@link #EXPIRED_KEPT_MILLIS} ago, at most once a minute. */
    private void sweep(long nowMillis) {
        if (nowMillis - lastSweep < SWEEP_EVERY_MILLIS && nowMillis >= lastSweep) return;
        lastSweep = nowMillis;
        byIp.values().removeIf(m -> {
            m.values().removeIf(until -> nowMillis - until >= EXPIRED_KEPT_MILLIS);
            return m.isEmpty();
        });
    }
}
