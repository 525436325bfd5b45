package io.sandboxrun.net.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.net.Allowlist;
import io.sandboxrun.net.proxy.Destinations.Pending;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DestinationsTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final Allowlist.Decision ALLOWED = new Allowlist.Decision(true, "tcp:203.0.113.0/24:443", null, "allowed");
    private long now = 500 * S;
    private final List<Pending> dropped = new ArrayList<>();
    private final Destinations table = new Destinations(() -> now, dropped::add);

    @Test
    void takeFindsTheEntryOnceByTheAppSocketsAddress() throws Exception {
        Pending p = pending("203.0.113.7", now);
        table.put(local("127.0.0.1", 40000), p);
        assertEquals(Optional.empty(), table.take(local("127.0.0.1", 40001)));
        assertEquals(Optional.of(p), table.take(local("127.0.0.1", 40000)));
        assertEquals(Optional.empty(), table.take(local("127.0.0.1", 40000)));
    }

    @Test
    void v4MappedAndPlainIpv4AreOneKey() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        InetSocketAddress v6Form = new InetSocketAddress(Inet6Address.getByAddress(null, mapped, -1), 40000);
        assertTrue(v6Form.getAddress() instanceof Inet6Address);
        Pending p = pending("203.0.113.7", now);
        table.put(v6Form, p);
        assertEquals(Optional.of(p), table.take(local("127.0.0.1", 40000)));
        table.put(local("127.0.0.1", 40001), p);
        assertEquals(Optional.of(p), table.take(new InetSocketAddress(Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1}, -1), 40001)));
    }

    @Test
    void ipv6LoopbackIsItsOwnKey() throws Exception {
        Pending p = pending("2001:db8::7", now);
        table.put(local("::1", 40000), p);
        assertEquals(Optional.empty(), table.take(local("127.0.0.1", 40000)));
        assertEquals(Optional.of(p), table.take(local("::1", 40000)));
    }

    @Test
    void removeUndoesOnlyTheSameEntry() throws Exception {
        Pending first = pending("203.0.113.7", now);
        Pending second = pending("203.0.113.8", now);
        table.put(local("127.0.0.1", 40000), first);
        assertFalse(table.remove(local("127.0.0.1", 40000), second));
        assertTrue(table.remove(local("127.0.0.1", 40000), first));
        assertEquals(0, table.size());
        assertEquals(List.of(), dropped); // an undo is the caller's to release, not a drop
    }

    @Test
    void entriesOlderThanThirtySecondsAreDroppedOnPut() throws Exception {
        Pending old = pending("203.0.113.7", now);
        Pending young = pending("203.0.113.8", now + 20 * S);
        table.put(local("127.0.0.1", 40000), old);
        now += 20 * S;
        table.put(local("127.0.0.1", 40001), young);
        now += 10 * S; // old is exactly 30 s: kept
        table.put(local("127.0.0.1", 40002), pending("203.0.113.9", now));
        assertEquals(List.of(), dropped);
        now += 1;
        table.put(local("127.0.0.1", 40003), pending("203.0.113.10", now));
        assertEquals(List.of(old), dropped);
        assertEquals(3, table.size());
        assertEquals(Optional.of(young), table.take(local("127.0.0.1", 40001)));
    }

    @Test
    void aReplacedEntryIsDropped() throws Exception {
        Pending first = pending("203.0.113.7", now);
        Pending second = pending("203.0.113.8", now);
        table.put(local("127.0.0.1", 40000), first);
        table.put(local("127.0.0.1", 40000), second);
        assertEquals(List.of(first), dropped);
        assertEquals(Optional.of(second), table.take(local("127.0.0.1", 40000)));
    }

    @Test
    void keyKeepsPlainAddresses() throws Exception {
        InetSocketAddress v4 = local("127.0.0.1", 1);
        assertTrue(Destinations.key(v4).getAddress() instanceof Inet4Address);
        assertEquals(v4, Destinations.key(v4));
        assertEquals(local("::1", 1), Destinations.key(local("::1", 1)));
    }

    private static Pending pending(String ip, long created) throws Exception {
        return new Pending(InetAddress.getByName(ip), 443, ALLOWED, 0, created);
    }

    private static InetSocketAddress local(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }
}
