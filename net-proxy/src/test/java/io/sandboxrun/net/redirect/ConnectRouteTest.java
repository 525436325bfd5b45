package io.sandboxrun.net.redirect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.SockAddr;
import io.sandboxrun.core.linux.Sockets;
import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetValues;
import io.sandboxrun.net.Allowlist;
import io.sandboxrun.net.NameAllowances;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectRouteTest {
    private static final Set<InetSocketAddress> PROXY = Set.of(new InetSocketAddress(ip("127.0.0.1"), 40000),
            new InetSocketAddress(ip("::1"), 40001));

    private static ConnectRoute.Route route(String rules, String address, int port) {
        return route(rules, address, port, Sockets.SOCK_STREAM, Sockets.IPPROTO_TCP);
    }

    private static ConnectRoute.Route route(String rules, String address, int port, int type, int protocol) {
        List<NetRule> parsed = rules.isEmpty() ? List.of()
                : java.util.Arrays.stream(rules.split(" ")).map(r -> NetValues.rule("--allow", r)).toList();
        Allowlist allow = new Allowlist(parsed);
        NameAllowances names = new NameAllowances();
        SockAddr sa = SockAddr.decode(SockAddr.encode(new InetSocketAddress(ip6Kept(address), port)));
        return ConnectRoute.route(sa, type, protocol, PROXY, new ConnectRoute.Judge() {
            @Override
            public Allowlist.Decision decide(InetAddress a, int p) {
                return allow.decide(a, p, names, 0);
            }

            @Override
            public boolean names(InetAddress a) {
                return allow.names(a);
            }
        });
    }

    @Test
    void anAllowedOutsideAddressIsRedirectedToWhereTheAppAsked() {
        ConnectRoute.Route r = route("tcp:203.0.113.0/24:443", "203.0.113.7", 443);
        ConnectRoute.Redirect d = assertInstanceOf(ConnectRoute.Redirect.class, r);
        assertEquals(new InetSocketAddress(ip("203.0.113.7"), 443), d.destination());
        assertEquals("tcp:203.0.113.0/24:443", d.decision().rule());
    }

    @Test
    void aV4MappedDestinationIsJudgedAndDialledAsTheIpv4Address() {
        ConnectRoute.Redirect d = assertInstanceOf(ConnectRoute.Redirect.class,
                route("tcp:127.0.0.2/32:8080", "::ffff:127.0.0.2", 8080));
        assertEquals(new InetSocketAddress(ip("127.0.0.2"), 8080), d.destination());
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:0.0.0.0/0", "::ffff:169.254.169.254", 80));
    }

    @Test
    void otherPortsAddressesAndTheSpecialRangesAreRefused() {
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:203.0.113.0/24:443", "203.0.113.7", 80));
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:203.0.113.0/24:443", "198.51.100.1", 443));
        ConnectRoute.Refuse meta = assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:0.0.0.0/0", "169.254.169.254", 80));
        assertTrue(meta.decision().reason().contains("cloud metadata"), meta.decision().reason());
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:0.0.0.0/0", "10.1.2.3", 443));
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:[::]/0", "fe80::1", 443));
        assertInstanceOf(ConnectRoute.Redirect.class, route("tcp:10.0.0.0/8:443", "10.1.2.3", 443));
    }

    @Test
    void loopbackNoRuleNamesStaysInsideTheSandbox() {
        ConnectRoute.Continue c = assertInstanceOf(ConnectRoute.Continue.class, route("tcp:0.0.0.0/0", "127.0.0.1", 5432));
        assertTrue(c.local());
        assertTrue(assertInstanceOf(ConnectRoute.Continue.class, route("", "::1", 80)).local());
        assertTrue(assertInstanceOf(ConnectRoute.Continue.class, route("", "0.0.0.0", 80)).local());
        // A rule that names a loopback address sends it to the host's (the tests' "outside" servers),
        // and its other ports are refused, not kept inside.
        assertInstanceOf(ConnectRoute.Redirect.class, route("tcp:127.0.0.2/32:80", "127.0.0.2", 80));
        ConnectRoute.Refuse port = assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:127.0.0.2/32:80", "127.0.0.2", 81));
        assertTrue(port.decision().reason().contains("port 81"), port.decision().reason());
        assertTrue(assertInstanceOf(ConnectRoute.Continue.class, route("tcp:127.0.0.2/32:80", "127.0.0.3", 80)).local());
        // A wildcard does not name loopback.
        assertTrue(assertInstanceOf(ConnectRoute.Continue.class, route("tcp:0.0.0.0/0", "127.0.0.2", 80)).local());
    }

    @Test
    void theProxysOwnListenersAreRefusedEvenWhenARuleCoversThem() {
        assertInstanceOf(ConnectRoute.Refuse.class, route("tcp:127.0.0.0/8", "127.0.0.1", 40000));
        assertInstanceOf(ConnectRoute.Refuse.class, route("", "127.0.0.1", 40000));
        assertInstanceOf(ConnectRoute.Refuse.class, route("", "::ffff:127.0.0.1", 40000));
        assertInstanceOf(ConnectRoute.Refuse.class, route("", "0.0.0.0", 40000));
        assertInstanceOf(ConnectRoute.Refuse.class, route("", "::1", 40001));
        assertInstanceOf(ConnectRoute.Continue.class, route("", "127.0.0.1", 53));
    }

    @Test
    void nonTcpSocketsAndOtherFamiliesAreLeftToTheKernel() {
        ConnectRoute.Continue udp = assertInstanceOf(ConnectRoute.Continue.class,
                route("tcp:0.0.0.0/0", "203.0.113.7", 53, Sockets.SOCK_DGRAM, 17));
        assertFalse(udp.local());
        assertInstanceOf(ConnectRoute.Redirect.class,
                route("tcp:203.0.113.0/24", "203.0.113.7", 443, Sockets.SOCK_STREAM, Sockets.IPPROTO_MPTCP));
        ConnectRoute.Continue unix = assertInstanceOf(ConnectRoute.Continue.class, ConnectRoute.route(
                new SockAddr(SockAddr.AF_UNIX, Optional.empty()), Sockets.SOCK_STREAM, 0, PROXY, null));
        assertFalse(unix.local());
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** Keeps ::ffff:a.b.c.d an IPv6 address (InetAddress.getByName would make it IPv4). */
    private static InetAddress ip6Kept(String s) {
        InetAddress a = ip(s);
        if (s.startsWith("::ffff:")) {
            byte[] v4 = a.getAddress();
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(v4, 0, b, 12, 4);
            try {
                return java.net.Inet6Address.getByAddress(null, b, -1);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return a;
    }
}
