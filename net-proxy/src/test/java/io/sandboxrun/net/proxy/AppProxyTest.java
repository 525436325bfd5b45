package io.sandboxrun.net.proxy;

import static io.sandboxrun.net.proxy.ProxyFixture.rates;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.epoll.Epoll;
import io.sandboxrun.core.linux.ListenSocket;
import io.sandboxrun.core.policy.NetworkPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy on real sockets, all on loopback: the instance's listener on 127.0.0.1 (made as the
 * helper makes it), the "outside" servers on 127.0.0.2, and 127.0.0.3 where nothing listens.
 */
class AppProxyTest {
    private static final InetAddress OUTSIDE = ip("127.0.0.2");
    private static final InetAddress NOWHERE = ip("127.0.0.3");
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void epoll() {
        assumeTrue(Epoll.isAvailable(), () -> "requires Netty's native epoll: " + Epoll.unavailabilityCause());
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(cleanup);
        for (AutoCloseable c : cleanup) c.close();
        threads.shutdownNow();
    }

    @Test
    void sixteenMegabytesEachWayArriveIntact() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        int size = 16 << 20;
        byte[] up = random(size, 1);
        byte[] down = random(size, 2);

        long start = System.nanoTime();
        Future<byte[]> clientGot = threads.submit(() -> exchange(client, up, size));
        Future<byte[]> serverGot = threads.submit(() -> exchange(far, down, size));
        assertArrayEquals(sha256(down), clientGot.get(60, TimeUnit.SECONDS));
        assertArrayEquals(sha256(up), serverGot.get(60, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("relay: 16 MiB each way at once in %.3f s: %.0f MiB/s each way%n", seconds, 16 / seconds);

        client.shutdownOutput();
        far.shutdownOutput();
        assertEquals(-1, client.getInputStream().read());
        assertEquals(-1, far.getInputStream().read());
        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("127.0.0.2:" + server.address().getPort(), line.get("destination").asText());
        assertEquals("tcp:127.0.0.0/8", line.get("rule").asText());
        assertEquals("allow", line.get("decision").asText());
        assertEquals("both sides closed", line.get("reason").asText());
        assertEquals(size, line.get("bytes_in").asLong());
        assertEquals(size, line.get("bytes_out").asLong());
        assertEquals(new InstanceTraffic.Totals(0, 0, size, size, 0), p.traffic.totals());
        assertEquals(0, p.limiter.open());
    }

    /**
     * A request ended by the app's half-close, then an answer far larger than the socket buffers,
     * read late: writing towards a side whose input has ended must still wait for room. (Netty
     * 4.2.18 drops such a channel from epoll when its interest falls to none, and then fails the
     * wait for room; the relay registers it afresh: see Relay.)
     */
    @Test
    void aLargeAnswerAfterTheAppsHalfCloseArrivesWhole() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        int size = 16 << 20;
        byte[] answer = random(size, 7);

        client.getOutputStream().write("GET".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertEquals("GET", text(far.getInputStream().readAllBytes()));
        Future<?> sending = threads.submit(() -> {
            far.getOutputStream().write(answer);
            far.close();
            return null;
        });
        Thread.sleep(300); // the proxy's queue towards the app fills while the app does not read
        assertArrayEquals(sha256(answer), sha256(client.getInputStream().readAllBytes()));
        sending.get(60, TimeUnit.SECONDS);
        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("both sides closed", line.get("reason").asText());
        assertEquals(size, line.get("bytes_in").asLong());
    }

    /** The mirror: the destination half-closes first, then the app sends far more than the buffers hold. */
    @Test
    void aLargeUploadAfterTheDestinationsHalfCloseArrivesWhole() throws Exception {
        assertTrue(EpollRegistrationRepair.active(), "the repair of Netty's emptied registrations works with this Netty");
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        int size = 16 << 20;
        byte[] upload = random(size, 8);

        far.getOutputStream().write("ready".getBytes(StandardCharsets.US_ASCII));
        far.shutdownOutput();
        assertEquals("ready", text(client.getInputStream().readAllBytes()));
        Future<?> sending = threads.submit(() -> {
            client.getOutputStream().write(upload);
            client.close();
            return null;
        });
        Thread.sleep(300); // the proxy's queue towards the destination fills while it does not read
        assertArrayEquals(sha256(upload), sha256(far.getInputStream().readAllBytes()));
        sending.get(60, TimeUnit.SECONDS);
        far.close();
        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("both sides closed", line.get("reason").asText());
        assertEquals(size, line.get("bytes_out").asLong());
    }

    @Test
    void halfCloseLetsTheServerAnswerAfterTheClientsEnd() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();

        client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertEquals("request", text(far.getInputStream().readAllBytes())); // up to the FIN
        far.getOutputStream().write("reply".getBytes(StandardCharsets.US_ASCII)); // still goes through
        far.close();
        assertEquals("reply", text(client.getInputStream().readAllBytes())); // then end of stream

        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("both sides closed", line.get("reason").asText());
        assertEquals(5, line.get("bytes_in").asLong());
        assertEquals(7, line.get("bytes_out").asLong());
    }

    @Test
    void dataAndEndSentBeforeTheDialAreKept() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address(), 200 * MS);
        client.getOutputStream().write("early".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        Socket far = server.next();
        assertEquals("early", text(far.getInputStream().readAllBytes()));
        far.close();
        assertEquals(-1, client.getInputStream().read());
        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("both sides closed", line.get("reason").asText());
        assertEquals(5, line.get("bytes_out").asLong());
    }

    @Test
    void serverResetReachesTheAppAsReset() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        far.getOutputStream().write('x');
        assertEquals('x', client.getInputStream().read());

        far.setSoLinger(true, 0);
        far.close();
        SocketException e = assertThrows(SocketException.class, () -> client.getInputStream().read());
        assertEquals("Connection reset", e.getMessage());
        assertEquals("127.0.0.2:" + server.address().getPort() + " reset the connection",
                p.awaitCloses(1).get(0).get("reason").asText());
        assertEquals(0, p.limiter.open());
    }

    @Test
    void appResetReachesTheServerAsReset() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        client.getOutputStream().write('x');
        assertEquals('x', far.getInputStream().read());

        client.setSoLinger(true, 0);
        client.close();
        SocketException e = assertThrows(SocketException.class, () -> far.getInputStream().read());
        assertEquals("Connection reset", e.getMessage());
        assertEquals("the app reset the connection", p.awaitCloses(1).get(0).get("reason").asText());
        assertEquals(0, p.limiter.open());
    }

    @Test
    void directConnectionIsResetAndAuditedAsDenied() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        assertReset(() -> p.connectDirectly().getInputStream().read());

        JsonNode line = p.awaitAudit(1, j -> true).get(0);
        String expected = "{\"time\":\"" + line.get("time").asText() + "\",\"app\":\"hello\",\"instance\":\"i-1\","
                + "\"event\":\"connect\",\"destination\":\"127.0.0.1:" + p.listener.getPort() + "\",\"name\":null,"
                + "\"rule\":null,\"decision\":\"deny\",\"reason\":\"not redirected by the launcher (a direct connection"
                + " to the proxy port)\",\"bytes_in\":null,\"bytes_out\":null,\"duration_ms\":null,\"answers\":null}";
        assertEquals(ProxyFixture.parse(expected), line);
        assertEquals(new InstanceTraffic.Totals(0, 1, 0, 0, 0), p.traffic.totals());
        assertEquals(1, p.audit.size());
    }

    @Test
    void refusedDialResetsTheAppAndNamesTheFailure() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        int port = freePort(NOWHERE);
        assertReset(() -> p.connect(new InetSocketAddress(NOWHERE, port)).getInputStream().read());

        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("127.0.0.3:" + port, line.get("destination").asText());
        assertEquals("cannot connect to 127.0.0.3:" + port + ": ECONNREFUSED (Connection refused)",
                line.get("reason").asText());
        assertEquals(0, line.get("bytes_in").asLong());
        assertEquals(0, line.get("bytes_out").asLong());
        assertEquals(0, p.limiter.open());
        assertEquals(0, p.traffic.totals().open());
    }

    @Test
    void unansweredDialTimesOutAndResetsTheApp() throws Exception {
        ProxyFixture p = new ProxyFixture(rates(0, 0), Duration.ofMillis(500), AppProxy.IDLE_TIMEOUT,
                InetAddress.getLoopbackAddress());
        cleanup.add(p);
        // A listener that never accepts, its queue full (backlog 1 holds two): Linux drops further SYNs.
        ServerSocket blackHole = new ServerSocket(0, 1, NOWHERE);
        cleanup.add(blackHole);
        for (int i = 0; i < 2; i++) {
            Socket filler = new Socket();
            cleanup.add(filler);
            filler.connect(blackHole.getLocalSocketAddress(), 1000);
        }
        int port = blackHole.getLocalPort();
        assertReset(() -> p.connect(new InetSocketAddress(NOWHERE, port)).getInputStream().read());
        assertEquals("cannot connect to 127.0.0.3:" + port + ": no answer within 0.5 s (connect timeout)",
                p.awaitCloses(1).get(0).get("reason").asText());
        assertEquals(0, p.limiter.open());
    }

    @Test
    void idleConnectionIsClosedOnBothSides() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), Duration.ofMillis(300));
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        assertEquals(-1, client.getInputStream().read()); // an end of stream, not a reset
        assertEquals(-1, far.getInputStream().read());
        assertEquals("idle for 0.3 s (no byte either way)", p.awaitCloses(1).get(0).get("reason").asText());
        assertEquals(0, p.limiter.open());
    }

    @Test
    void delayedAdmissionDialsAfterTheDelay() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        long delay = 400 * MS;
        long start = System.nanoTime();
        Socket client = p.connect(server.address(), delay);
        assertNull(server.poll(200), "dialled before the delay");
        Socket far = server.next();
        long waited = System.nanoTime() - start;
        System.out.printf("delay: admission asked 400 ms, the dial came after %d ms%n", waited / MS);
        assertTrue(waited >= delay, "dialled after " + waited / MS + " ms");

        client.getOutputStream().write('x');
        assertEquals('x', far.getInputStream().read());
    }

    /**
     * Netty's shaper, as set up by AppProxy, holds each direction to its cap: 6 MiB at 2 MiB/s
     * each way, both at once, take at least 3 s less 15%. Printed: how close they come.
     */
    @Test
    void bandwidthCapsHoldEachWay() throws Exception {
        long rate = 2 << 20;
        int size = 6 << 20;
        ProxyFixture p = proxy(rates(rate, rate), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        Socket client = p.connect(server.address());
        Socket far = server.next();
        client.setSoTimeout(30_000);
        far.setSoTimeout(30_000);

        long start = System.nanoTime();
        threads.submit(() -> {
            far.getOutputStream().write(random(size, 3));
            return null;
        });
        threads.submit(() -> {
            client.getOutputStream().write(random(size, 4));
            return null;
        });
        Future<Long> in = threads.submit(() -> {
            exactly(client.getInputStream(), size);
            return System.nanoTime() - start;
        });
        Future<Long> out = threads.submit(() -> {
            exactly(far.getInputStream(), size);
            return System.nanoTime() - start;
        });
        double inSeconds = in.get(60, TimeUnit.SECONDS) / 1e9;
        double outSeconds = out.get(60, TimeUnit.SECONDS) / 1e9;
        double ideal = (double) size / rate;
        System.out.printf("shaping: 6 MiB at 2 MiB/s: towards the app %.3f s (%+.1f%%), from the app %.3f s (%+.1f%%)%n",
                inSeconds, 100 * (inSeconds / ideal - 1), outSeconds, 100 * (outSeconds / ideal - 1));
        assertTrue(inSeconds >= 0.85 * ideal, "towards the app: " + inSeconds + " s");
        assertTrue(outSeconds >= 0.85 * ideal, "from the app: " + outSeconds + " s");
    }

    @Test
    void everyEndReleasesItsSlot() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer echo = OutsideServer.echo(OUTSIDE);
        cleanup.add(echo);
        int refused = freePort(NOWHERE);
        for (int i = 0; i < 200; i++) {
            if (i % 2 == 0) {
                roundTrip(p, echo);
            } else if (i % 4 == 1) {
                Socket c = p.connect(echo.address());
                c.getOutputStream().write('x');
                assertEquals('x', c.getInputStream().read());
                c.setSoLinger(true, 0);
                c.close();
            } else {
                assertReset(() -> p.connect(new InetSocketAddress(NOWHERE, refused)).getInputStream().read());
            }
        }
        List<JsonNode> closes = p.awaitCloses(200);
        assertEquals(100, count(closes, "both sides closed"));
        assertEquals(50, count(closes, "the app reset the connection"));
        assertEquals(50, count(closes, "cannot connect to 127.0.0.3:" + refused + ": ECONNREFUSED (Connection refused)"));
        assertEquals(0, p.limiter.open());
        assertEquals(0, p.instance.open());
        assertEquals(0, p.traffic.totals().open());
    }

    @Test
    void aThousandConnectionsLeaveNoDescriptorOrChannelBehind() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer echo = OutsideServer.echo(OUTSIDE);
        cleanup.add(echo);
        for (int i = 0; i < 20; i++) roundTrip(p, echo); // threads and pools settle
        p.awaitCloses(20);
        await(() -> p.instance.openChannels() == 1, "channels of the warm-up closed");
        int before = ProxyFixture.openFds();

        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) roundTrip(p, echo);
        p.awaitCloses(1020);
        System.out.printf("churn: 1000 connections one after another in %d ms%n", (System.nanoTime() - start) / MS);
        await(() -> p.instance.openChannels() == 1, "channels closed");
        await(() -> openFdsNow() <= before, "descriptors back to " + before);
        assertEquals(1, p.instance.openChannels()); // the listener
        assertEquals(0, p.limiter.open());
    }

    @Test
    void closingTheInstanceResetsItsConnectionsAndTheListener() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        OutsideServer server = queueing(OUTSIDE);
        List<Socket> clients = new ArrayList<>();
        List<Socket> fars = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(p.connect(server.address()));
            fars.add(server.next());
        }
        await(() -> p.instance.open() == 3, "three relays");

        p.instance.close();
        assertEquals(0, p.limiter.open()); // released before close() returned
        assertEquals(0, p.instance.open());
        for (Socket s : clients) assertThrows(SocketException.class, () -> s.getInputStream().read());
        for (Socket s : fars) assertThrows(SocketException.class, () -> s.getInputStream().read());
        List<JsonNode> closes = p.awaitCloses(3);
        assertEquals(3, count(closes, InstanceProxy.DETACHED));
        assertThrows(ConnectException.class, () -> new Socket().connect(p.listener, 5000));
    }

    @Test
    void blockingListenerIsRefusedAndClosed() throws Exception {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        int fd = ListenSocket.tcp(InetAddress.getLoopbackAddress(), 0).fd().release();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.proxy.attach("i-2", fd, p.table, p.traffic));
        assertEquals("listenFd " + fd + " is in blocking mode; open it with SOCK_NONBLOCK", e.getMessage());
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)), "fd " + fd + " still open");
    }

    @Test
    void ipv6ListenerAndDestination() throws Exception {
        InetAddress v6 = ip("::1");
        assumeTrue(canBind(v6), "requires IPv6 on loopback (::1)");
        ProxyFixture p = new ProxyFixture(rates(0, 0), Duration.ofSeconds(5), AppProxy.IDLE_TIMEOUT, v6);
        cleanup.add(p);
        OutsideServer echo = OutsideServer.echo(v6);
        cleanup.add(echo);
        Socket c = p.connect(echo.address());
        c.getOutputStream().write("over ipv6".getBytes(StandardCharsets.US_ASCII));
        c.shutdownOutput();
        assertEquals("over ipv6", text(c.getInputStream().readAllBytes()));
        JsonNode line = p.awaitCloses(1).get(0);
        assertEquals("[::1]:" + echo.address().getPort(), line.get("destination").asText());
        assertEquals(9, line.get("bytes_in").asLong());
    }

    @Test
    void unlimitedRatesAddNoShaper() {
        ProxyFixture p = proxy(rates(0, 0), AppProxy.IDLE_TIMEOUT);
        assertNull(p.proxy.shaper());
        ProxyFixture capped = proxy(rates(0, 1 << 20), AppProxy.IDLE_TIMEOUT);
        assertTrue(capped.proxy.shaper() instanceof io.netty.handler.traffic.GlobalTrafficShapingHandler g
                && g.getWriteLimit() == 0 && g.getReadLimit() == 1 << 20 && g.getCheckInterval() == 1000);
    }

    // ---- helpers ----

    private ProxyFixture proxy(NetworkPolicy.Rates rates, Duration idle) {
        ProxyFixture p = new ProxyFixture(rates, idle);
        cleanup.add(p);
        return p;
    }

    private OutsideServer queueing(InetAddress at) throws IOException {
        OutsideServer s = OutsideServer.queueing(at);
        cleanup.add(s);
        return s;
    }

    /**
     * A reset that may come as soon as the connect: on loopback the proxy can accept and reset
     * before Java's connect has looked at the socket again, and then connect fails with
     * "Connection reset by peer" (an app can see the same); else the first read fails.
     */
    private static void assertReset(org.junit.jupiter.api.function.Executable connectAndRead) {
        SocketException e = assertThrows(SocketException.class, connectAndRead);
        assertTrue(e.getMessage().startsWith("Connection reset"), e.getMessage());
    }

    /** One byte there and back through the echo server, then both ends closed. */
    private static void roundTrip(ProxyFixture p, OutsideServer echo) throws IOException {
        try (Socket c = p.connect(echo.address())) {
            c.getOutputStream().write('x');
            c.shutdownOutput();
            assertEquals("x", text(c.getInputStream().readAllBytes()));
        }
    }

    /** Writes {@code send} from one thread while reading {@code expect} bytes; returns their SHA-256. */
    private byte[] exchange(Socket s, byte[] send, int expect) throws Exception {
        Future<?> writing = threads.submit(() -> {
            s.getOutputStream().write(send);
            return null;
        });
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 << 10];
        InputStream in = s.getInputStream();
        for (int left = expect; left > 0; ) {
            int n = in.read(buf, 0, Math.min(buf.length, left));
            if (n < 0) throw new IOException("end of stream with " + left + " bytes still to come");
            d.update(buf, 0, n);
            left -= n;
        }
        writing.get(60, TimeUnit.SECONDS);
        return d.digest();
    }

    private static void exactly(InputStream in, int size) throws IOException {
        byte[] buf = new byte[64 << 10];
        for (int left = size; left > 0; ) {
            int n = in.read(buf, 0, Math.min(buf.length, left));
            if (n < 0) throw new IOException("end of stream with " + left + " bytes still to come");
            left -= n;
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static long count(List<JsonNode> lines, String reason) {
        return lines.stream().filter(j -> j.get("reason").asText().equals(reason)).count();
    }

    private static int freePort(InetAddress at) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, at)) {
            return s.getLocalPort();
        }
    }

    private static int openFdsNow() {
        try {
            return ProxyFixture.openFds();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited 10 s for: " + what);
            Thread.sleep(5);
        }
    }

    private static boolean canBind(InetAddress a) {
        try (ServerSocket s = new ServerSocket(0, 1, a)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
