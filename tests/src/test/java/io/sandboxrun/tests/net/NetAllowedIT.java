package io.sandboxrun.tests.net;

import static io.sandboxrun.tests.net.NetSandbox.Audit.event;
import static io.sandboxrun.tests.net.NetSandbox.destination;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.NetworkTotals;
import io.sandboxrun.core.testing.Requires;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An unmodified app reaches an allowed outside server through the proxy, whatever kind of client
 * it uses, with its data intact and its socket's semantics (non-blocking connect, half-close,
 * options) kept; the audit log has a line for the decision and one for the closed connection.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetAllowedIT {
    static final int MB16 = 16 << 20;
    static NetSandbox net;
    static OutsideServer echo, sha256, source, http;

    @BeforeAll
    static void setUp() throws IOException {
        net = new NetSandbox();
        echo = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
        sha256 = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.SHA256);
        source = OutsideServer.tcp("127.0.0.3", OutsideServer.Kind.SOURCE);
        http = OutsideServer.http("127.0.0.2");
    }

    @AfterAll
    static void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {echo, sha256, source, http}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // cleanup: the next one still gets closed
            }
        }
        if (net != null) net.close();
    }

    private static String rule(OutsideServer s) {
        return "tcp:" + s.host() + "/32:" + s.port();
    }

    @Test
    void urllibAndHttpClientGetAnAnswer() {
        int before = http.accepted.get();
        NetSandbox.Probe p = net.run("net-http", net.network(rule(http)),
                "urllib http://127.0.0.2:" + http.port() + "/hello",
                "httpclient " + http.at() + " /hello");
        for (int i = 0; i < 2; i++) {
            JsonNode d = p.ok(i);
            assertEquals(200, d.get("status").asInt(), p.toString());
            assertEquals("hello from outside\n", d.get("body").asText(), p.toString());
        }
        assertEquals(2, http.accepted.get() - before, "requests the outside server served");
    }

    @Test
    void blockingAsyncioAndNonBlockingClientsEcho() {
        NetSandbox.Probe p = net.run("net-clients", net.network(rule(echo)),
                "echo " + echo.at(), "asyncio " + echo.at(), "nonblock " + echo.at());
        p.ok(0);
        p.ok(1);
        // The connect() of a non-blocking socket keeps its semantics: EINPROGRESS, then writable.
        assertEquals("EINPROGRESS", p.ok(2).get("connect_ex").asText(), p.toString());
        p.audit().await(3, "connect allow", event("connect", destination("127.0.0.2", echo.port()))
                .and(j -> j.path("decision").asText().equals("allow")));
    }

    /**
     * The documented difference (architecture "The socket proxy"): the app's socket is connected
     * to the proxy's listener, so getpeername() names that listener on the sandbox's loopback, not
     * the destination; the echo still comes from the destination.
     */
    @Test
    void peerNameIsTheProxysListenerAsDocumented() {
        NetSandbox.Probe p = net.run("net-peer", net.network(rule(echo)), "echo " + echo.at());
        JsonNode peer = p.ok(0).get("peer");
        assertEquals("127.0.0.1", peer.get(0).asText(), p.toString());
        assertNotEquals(echo.port(), peer.get(1).asInt(), p.toString());
    }

    @Test
    void auditHasTheAllowAndTheCloseWithByteCounts() {
        NetSandbox.Probe p = net.run("net-audit", net.network(rule(sha256)), "halfclose " + sha256.at());
        p.ok(0);
        String dest = destination("127.0.0.2", sha256.port());
        JsonNode connect = p.audit().await(1, "connect", event("connect", dest)).get(0);
        assertEquals("allow", connect.path("decision").asText(), connect.toString());
        assertEquals(rule(sha256), connect.path("rule").asText(), connect.toString());
        assertEquals(p.app(), connect.path("app").asText(), connect.toString());
        assertTrue(connect.hasNonNull("instance") && connect.hasNonNull("time"), connect.toString());
        JsonNode close = p.audit().await(1, "close", event("close", dest)).get(0);
        // 17 bytes out ("half-close works\n"), 68 in ("<64 hex> 17\n").
        assertEquals(17, close.path("bytes_out").asLong(-1), close.toString());
        assertEquals(68, close.path("bytes_in").asLong(-1), close.toString());
        assertTrue(close.path("duration_ms").asLong(-1) >= 0, close.toString());
        assertEquals(connect.path("instance").asText(), close.path("instance").asText(), close.toString());
        assertEquals(new NetworkTotals(1, 0, 0, 68, 17), p.run().result().network().orElseThrow(), "RunResult.network");
    }

    @Test
    void halfCloseDeliversTheReplySentAfterEof() {
        NetSandbox.Probe p = net.run("net-halfclose", net.network(rule(sha256)), "halfclose " + sha256.at());
        JsonNode d = p.ok(0);
        assertEquals(d.get("sent_sha256").asText(), d.get("reply").get(0).asText(), p.toString());
        assertEquals("17", d.get("reply").get(1).asText(), p.toString());
    }

    @Test
    void sixteenMegabytesEachWayArriveIntact() {
        int uploads = sha256.digests.size();
        int downloads = source.digests.size();
        NetSandbox.Probe p = net.run("net-bulk", net.network(rule(sha256), rule(source)),
                "upload " + sha256.at() + " " + MB16, "download " + source.at() + " " + MB16);
        JsonNode up = p.ok(0);
        assertEquals(String.valueOf(MB16), up.get("reply").get(1).asText(), p.toString());
        assertEquals(up.get("sent_sha256").asText(), up.get("reply").get(0).asText(), "what the server got");
        assertEquals(up.get("sent_sha256").asText(), sha256.digests.get(uploads), "the server's own record");
        JsonNode down = p.ok(1);
        assertEquals(MB16, down.get("received").asInt(), p.toString());
        assertEquals(source.digests.get(downloads), down.get("received_sha256").asText(), "what the app got");
        System.out.printf("16 MiB through the proxy: up %.2f s, down %.2f s%n",
                up.get("transfer").asDouble(), down.get("transfer").asDouble());
    }

    /**
     * The request ends with the app's shutdown(SHUT_WR), then 16 MiB come back while the app
     * waits before reading: the relay keeps writing towards a half-closed side (see
     * EpollRegistrationRepair for the Netty bug this once hit).
     */
    @Test
    void aLargeAnswerAfterTheAppsHalfCloseArrivesWhole() {
        int downloads = source.digests.size();
        NetSandbox.Probe p = net.run("net-halfdown", net.network(rule(source)), "halfclose-download " + source.at() + " " + MB16);
        JsonNode down = p.ok(0);
        assertEquals(MB16, down.get("received").asInt(), p.toString());
        assertEquals(source.digests.get(downloads), down.get("received_sha256").asText(), "what the app got");
    }

    @Test
    void socketOptionsSetBeforeConnectAreKept() {
        NetSandbox.Probe p = net.run("net-sockopt", net.network(rule(echo)), "sockopt " + echo.at());
        JsonNode d = p.ok(0);
        assertEquals(1, d.get("TCP_NODELAY").asInt(), p.toString());
        assertEquals(1, d.get("SO_KEEPALIVE").asInt(), p.toString());
        assertEquals(77, d.get("TCP_KEEPIDLE").asInt(), p.toString());
    }

    @Test
    void v4MappedAddressFromAnInet6SocketIsTheIpv4Destination() {
        NetSandbox.Probe p = net.run("net-mapped", net.network(rule(echo)), "echo ::ffff:127.0.0.2 " + echo.port());
        p.ok(0);
        p.audit().await(1, "connect allow", j -> j.path("event").asText().equals("connect")
                && j.path("decision").asText().equals("allow") && j.path("destination").asText().endsWith(":" + echo.port()));
    }

    @Test
    void ipv6LoopbackServerThroughAnIpv6Rule() throws IOException {
        NetSandbox.requireOrSkip(ipv6LoopbackUsable(), "::1 is not usable on this host (no IPv6 on lo)");
        try (OutsideServer v6 = OutsideServer.tcp("::1", OutsideServer.Kind.ECHO)) {
            NetSandbox.Probe p = net.run("net-v6", net.network("tcp:[::1]/128:" + v6.port()), "echo ::1 " + v6.port());
            p.ok(0);
            assertEquals(1, v6.accepted.get(), "connections the ::1 server got");
            JsonNode connect = p.audit().await(1, "connect", event("connect", "[::1]:" + v6.port())).get(0);
            assertEquals("allow", connect.path("decision").asText(), connect.toString());
        }
    }

    static boolean ipv6LoopbackUsable() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
