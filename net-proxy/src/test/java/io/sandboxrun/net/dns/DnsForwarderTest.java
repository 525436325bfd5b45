package io.sandboxrun.net.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.Socket;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.net.NameAllowances;
import io.sandboxrun.net.audit.AuditLog;
import io.sandboxrun.net.dns.FakeUpstream.Rr;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forwarder on real sockets, all on loopback: the "in-sandbox" sockets are made here (bound to
 * 127.0.0.55) instead of by the helper, and upstream is a {@link FakeUpstream} on 127.0.0.53.
 */
class DnsForwarderTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final NetRule.Host API = new NetRule.Host("api.example.com", 443, 443);
    private static final NetRule.Host ANY = new NetRule.Host("*.example.com", 1, 65535);
    private static final InetAddress APP_SIDE = ip("127.0.0.55");

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<String> audit = Collections.synchronizedList(new ArrayList<>());
    private final NameAllowances names = new NameAllowances();
    private MultiThreadIoEventLoopGroup group;
    private InetSocketAddress udpAt, tcpAt;

    @BeforeAll
    static void epoll() {
        assumeTrue(Epoll.isAvailable(), () -> "requires Netty's native epoll: " + Epoll.unavailabilityCause());
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) c.close();
        if (group != null) group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    @Test
    void allowedNameIsForwardedAndRecorded() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("api.example.com", new Rr("api.example.com", "A", 42, "203.0.113.7"));
        start(List.of(API), false, Duration.ofSeconds(2), up);

        byte[] reply = udp(query(0x1234, "api.example.com", DnsRecordType.A, 0));
        assertEquals(0x1234, id(reply));
        assertEquals(0, rcode(reply));
        assertEquals(List.of("203.0.113.7"), addresses(reply, "api.example.com", DnsRecordType.A));
        NameAllowances.Grant g = names.find(ip("203.0.113.7"), 443, NOW).orElseThrow();
        assertEquals(new NameAllowances.Grant(API, "api.example.com", ip("203.0.113.7"), NOW + 42_000), g);
        assertEquals(1, up.udpQueries.get());
        assertEquals(List.of("{\"time\":\"2023-11-14T22:13:20.000Z\",\"app\":\"hello\",\"instance\":\"i-1\","
                + "\"event\":\"dns\",\"destination\":null,\"name\":\"api.example.com\",\"rule\":\"host:api.example.com:443\","
                + "\"decision\":\"allow\",\"reason\":\"A api.example.com: matches host:api.example.com:443; forwarded,"
                + " upstream answered NOERROR with 1 address allowed for their TTL\",\"bytes_in\":null,\"bytes_out\":null,"
                + "\"duration_ms\":null,\"answers\":[\"203.0.113.7\"]}"), audit);
    }

    @Test
    void upstreamQueryCarriesOnlyTheQuestion() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("api.example.com", new Rr("api.example.com", "A", 42, "203.0.113.7"));
        start(List.of(API), false, Duration.ofSeconds(2), up);
        udp(query(0x1234, "API.Example.COM", DnsRecordType.A, 1232));
        byte[] sent = up.received.get(0);
        // header: new id, RD, one question, one OPT with the app's payload size and nothing else
        assertEquals(0x0100, ((sent[2] & 0xff) << 8) | (sent[3] & 0xff));
        assertEquals(1, sent[5]);
        assertEquals(1, sent[11]);
        int optAt = sent.length - 11;
        assertEquals(41, sent[optAt + 2]);
        assertEquals(1232, ((sent[optAt + 3] & 0xff) << 8) | (sent[optAt + 4] & 0xff));
        assertTrue(names.find(ip("203.0.113.7"), 443, NOW).isPresent());
    }

    @Test
    void cnameChainCountsForTheQueriedName() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("www.example.com",
                new Rr("www.example.com", "CNAME", 300, "edge.cdn.test"),
                new Rr("edge.cdn.test", "CNAME", 30, "pop7.cdn.test"),
                new Rr("pop7.cdn.test", "A", 120, "198.51.100.1"),
                new Rr("unrelated.test", "A", 120, "198.51.100.99"));
        start(List.of(ANY), false, Duration.ofSeconds(2), up);

        byte[] reply = udp(query(7, "www.example.com", DnsRecordType.A, 0));
        assertEquals(List.of("198.51.100.1"), addresses(reply, "www.example.com", DnsRecordType.A));
        NameAllowances.Grant g = names.find(ip("198.51.100.1"), 8443, NOW).orElseThrow();
        assertEquals("www.example.com", g.name());
        assertEquals(NOW + 30_000, g.expiresAt()); // the least TTL along the chain
        assertTrue(names.find(ip("198.51.100.99"), 443, NOW).isEmpty());
        assertTrue(audit.get(0).contains("\"answers\":[\"198.51.100.1\"]"), audit.get(0));
    }

    @Test
    void aaaa() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("v6.example.com", new Rr("v6.example.com", "AAAA", 600, "2001:db8::7"));
        start(List.of(ANY), false, Duration.ofSeconds(2), up);
        byte[] reply = udp(query(8, "v6.example.com", DnsRecordType.AAAA, 0));
        assertEquals(List.of("2001:db8::7"), addresses(reply, "v6.example.com", DnsRecordType.AAAA));
        assertEquals(NOW + 600_000, names.find(ip("2001:db8::7"), 1, NOW).orElseThrow().expiresAt());
        assertTrue(audit.get(0).contains("\"answers\":[\"2001:db8::7\"]"), audit.get(0));
    }

    @Test
    void otherNamesAreRefusedWithoutUpstreamTraffic() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        start(List.of(API, ANY), false, Duration.ofSeconds(2), up);
        for (String n : List.of("secret-data.attacker.test", "example.com", "api.example.com.attacker.test")) {
            byte[] reply = udp(query(9, n, DnsRecordType.A, 0));
            assertEquals(9, id(reply));
            assertEquals(5, rcode(reply)); // REFUSED
        }
        assertEquals(0, up.udpQueries.get() + up.tcpQueries.get());
        assertEquals(0, names.size());
        assertEquals(3, audit.size());
        assertEquals("{\"time\":\"2023-11-14T22:13:20.000Z\",\"app\":\"hello\",\"instance\":\"i-1\",\"event\":\"dns\","
                + "\"destination\":null,\"name\":\"secret-data.attacker.test\",\"rule\":null,\"decision\":\"deny\","
                + "\"reason\":\"A secret-data.attacker.test: no host rule matches it; REFUSED, nothing sent upstream\","
                + "\"bytes_in\":null,\"bytes_out\":null,\"duration_ms\":null,\"answers\":[]}", audit.get(0));
    }

    @Test
    void anyNameForwardsButAllowsNothing() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("other.test", new Rr("other.test", "A", 60, "192.0.2.1"));
        start(List.of(API), true, Duration.ofSeconds(2), up);
        byte[] reply = udp(query(10, "other.test", DnsRecordType.A, 0));
        assertEquals(List.of("192.0.2.1"), addresses(reply, "other.test", DnsRecordType.A));
        assertEquals(0, names.size());
        assertTrue(audit.get(0).contains("\"rule\":null,\"decision\":\"allow\",\"reason\":\"A other.test: any-name is on"
                + " (no host rule matches it, so no address is allowed); forwarded, upstream answered NOERROR with 1 address\""),
                audit.get(0));
        assertTrue(audit.get(0).endsWith("\"answers\":[]}"), audit.get(0));
        byte[] nx = udp(query(11, "missing.test", DnsRecordType.A, 0));
        assertEquals(3, rcode(nx)); // NXDOMAIN passed through
    }

    @Test
    void upstreamTimeoutIsServfail() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.silent = true;
        start(List.of(API), false, Duration.ofMillis(300), up);
        long t0 = System.nanoTime();
        byte[] reply = udp(query(12, "api.example.com", DnsRecordType.A, 0));
        assertEquals(2, rcode(reply)); // SERVFAIL
        assertTrue(System.nanoTime() - t0 >= 250_000_000L);
        String port = Integer.toString(up.address().getPort());
        assertTrue(audit.get(0).contains("\"reason\":\"A api.example.com: matches host:api.example.com:443; no upstream"
                + " answered: 127.0.0.53:" + port + " timed out after 0.3 s (SERVFAIL)\""), audit.get(0));
    }

    @Test
    void triesTheNextUpstreamInOrder() throws Exception {
        FakeUpstream dead = upstream("127.0.0.53");
        dead.silent = true;
        FakeUpstream live = upstream("127.0.0.54");
        live.put("api.example.com", new Rr("api.example.com", "A", 42, "203.0.113.7"));
        start(List.of(API), false, Duration.ofMillis(300), dead, live);
        byte[] reply = udp(query(13, "api.example.com", DnsRecordType.A, 0));
        assertEquals(List.of("203.0.113.7"), addresses(reply, "api.example.com", DnsRecordType.A));
        assertEquals(1, dead.udpQueries.get());
        assertEquals(1, live.udpQueries.get());
    }

    @Test
    void tcpGoesUpstreamOverTcp() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("api.example.com", new Rr("api.example.com", "A", 42, "203.0.113.7"));
        start(List.of(API), false, Duration.ofSeconds(2), up);
        try (java.net.Socket s = new java.net.Socket(tcpAt.getAddress(), tcpAt.getPort())) {
            s.setSoTimeout(5000);
            // two queries on one connection
            for (int id : new int[] {21, 22}) {
                byte[] reply = tcp(s, query(id, "api.example.com", DnsRecordType.A, 0));
                assertEquals(id, id(reply));
                assertEquals(List.of("203.0.113.7"), addresses(reply, "api.example.com", DnsRecordType.A));
            }
            byte[] refused = tcp(s, query(23, "nope.test", DnsRecordType.A, 0));
            assertEquals(5, rcode(refused));
        }
        assertEquals(2, up.tcpQueries.get());
        assertEquals(0, up.udpQueries.get());
        assertTrue(names.find(ip("203.0.113.7"), 443, NOW).isPresent());
        assertEquals(3, audit.size());
    }

    @Test
    void truncatedUdpAnswerReachesTheAppWhichRetriesOverTcp() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        up.put("big.example.com", new Rr("big.example.com", "A", 42, "203.0.113.9"));
        up.truncateOverUdp.add("big.example.com");
        start(List.of(ANY), false, Duration.ofSeconds(2), up);
        byte[] reply = udp(query(31, "big.example.com", DnsRecordType.A, 0));
        assertEquals(0x0200, ((reply[2] & 0xff) << 8 | (reply[3] & 0xff)) & 0x0200); // TC
        assertTrue(names.find(ip("203.0.113.9"), 443, NOW).isEmpty());
        try (java.net.Socket s = new java.net.Socket(tcpAt.getAddress(), tcpAt.getPort())) {
            s.setSoTimeout(5000);
            byte[] full = tcp(s, query(32, "big.example.com", DnsRecordType.A, 0));
            assertEquals(List.of("203.0.113.9"), addresses(full, "big.example.com", DnsRecordType.A));
        }
        assertTrue(names.find(ip("203.0.113.9"), 443, NOW).isPresent());
    }

    @Test
    void closingTheHandleClosesTheSockets() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        AutoCloseable handle = start(List.of(API), false, Duration.ofSeconds(2), up);
        handle.close();
        cleanup.remove(handle);
        // Closing goes on on the event loop after close() returns: the listener is gone within moments.
        long deadline = System.nanoTime() + 2_000_000_000L;
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try {
                new java.net.Socket(tcpAt.getAddress(), tcpAt.getPort()).close();
                Thread.sleep(10);
            } catch (java.net.ConnectException e) {
                refused = true;
            }
        }
        assertTrue(refused, "the TCP listener still accepts 2 s after close");
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(ip("127.0.0.1"), 0))) {
            c.setSoTimeout(300);
            byte[] q = query(1, "api.example.com", DnsRecordType.A, 0);
            c.send(new DatagramPacket(q, q.length, udpAt));
            assertThrows(java.io.IOException.class, () -> c.receive(new DatagramPacket(new byte[512], 512)));
        }
    }

    @Test
    void attachRejectsAClosedDescriptor() throws Exception {
        FakeUpstream up = upstream("127.0.0.53");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        DnsForwarder f = forwarder(List.of(API), false, Duration.ofSeconds(2), up);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.attach("i-1", 999_999, 999_998));
        assertTrue(e.getMessage().startsWith("udpFd 999999 is not an open descriptor"), e.getMessage());
    }

    @Test
    void resolvConf() {
        assertEquals(List.of(new InetSocketAddress(ip("127.0.0.53"), 53), new InetSocketAddress(ip("2001:db8::53"), 53),
                        new InetSocketAddress(ip("fe80::1"), 53)),
                DnsForwarder.parseResolvConf("# generated\nsearch example.com\nnameserver 127.0.0.53\n"
                        + "  nameserver\t2001:db8::53  # v6\nnameserver fe80::1%eth0\nnameserver not-an-address\noptions edns0\n"));
        assertEquals(List.of(), DnsForwarder.parseResolvConf("search x\n"));
    }

    @Test
    void noUpstreamAnywhere(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(conf, "search example.com\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new DnsForwarder("hello", List.of(),
                new NetworkPolicy.Dns(List.of(), false), names, AuditLog.none(), null, Clock.systemUTC(),
                Duration.ofSeconds(2), conf));
        assertEquals("no upstream DNS resolver: the policy names none (dns.upstream) and " + conf
                + " has no nameserver line", e.getMessage());
    }

    // --- helpers

    private FakeUpstream upstream(String address) throws Exception {
        FakeUpstream up = new FakeUpstream(address);
        cleanup.add(up);
        return up;
    }

    private DnsForwarder forwarder(List<NetRule> rules, boolean anyName, Duration tryTimeout, FakeUpstream... ups) {
        List<InetSocketAddress> list = java.util.Arrays.stream(ups).map(FakeUpstream::address).toList();
        return new DnsForwarder("hello", rules, new NetworkPolicy.Dns(list, anyName), names, AuditLog.to(audit::add),
                group, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), tryTimeout, Path.of("/nonexistent"));
    }

    /** Makes the two "in-sandbox" sockets on 127.0.0.55 and attaches them. */
    private AutoCloseable start(List<NetRule> rules, boolean anyName, Duration tryTimeout, FakeUpstream... ups)
            throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        DnsForwarder f = forwarder(rules, anyName, tryTimeout, ups);
        Socket udp = Socket.newSocketDgram();
        udp.bind(new InetSocketAddress(APP_SIDE, 0));
        Socket tcp = Socket.newSocketStream();
        tcp.bind(new InetSocketAddress(APP_SIDE, 0));
        tcp.listen(16);
        udpAt = new InetSocketAddress(APP_SIDE, udp.localAddress().getPort());
        tcpAt = new InetSocketAddress(APP_SIDE, tcp.localAddress().getPort());
        AutoCloseable handle = f.attach("i-1", udp.intValue(), tcp.intValue());
        cleanup.add(handle);
        return handle;
    }

    private byte[] udp(byte[] query) throws Exception {
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(ip("127.0.0.1"), 0))) {
            c.setSoTimeout(5000);
            c.send(new DatagramPacket(query, query.length, udpAt));
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            try {
                c.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer from the forwarder within 5 s", e);
            }
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    private static byte[] tcp(java.net.Socket s, byte[] query) throws Exception {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeShort(query.length);
        out.write(query);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return b;
    }

    private static byte[] query(int id, String name, DnsRecordType type, int edns) throws Exception {
        ByteBuf b = DnsWire.query(ByteBufAllocator.DEFAULT, id, new DefaultDnsQuestion(name + ".", type), true, edns);
        try {
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    private static int id(byte[] m) {
        return ((m[0] & 0xff) << 8) | (m[1] & 0xff);
    }

    private static int rcode(byte[] m) {
        return m[3] & 0xf;
    }

    private static List<String> addresses(byte[] reply, String name, DnsRecordType type) {
        DnsQuestion q = new DefaultDnsQuestion(name + ".", type);
        DnsWire.Answer a = DnsWire.read(Unpooled.wrappedBuffer(reply), id(reply), q);
        assertTrue(a != null, "not an answer to " + name);
        return a.addresses().stream().map(x -> io.sandboxrun.net.AddressRanges.text(x.ip())).toList();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
