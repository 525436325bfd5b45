package io.sandboxrun.net.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.sandboxrun.core.linux.ListenSocket;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.net.Allowlist;
import io.sandboxrun.net.audit.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One app's proxy serving one instance on loopback, set up the way the launcher will: the
 * listener is a raw non-blocking listening socket (as the helper opens it), and {@link #connect}
 * plays the launcher's redirect (bind the client to 127.0.0.1:0, record its destination, connect
 * it to the listener).
 */
final class ProxyFixture implements AutoCloseable {
    static final Allowlist.Decision ALLOWED = new Allowlist.Decision(true, "tcp:127.0.0.0/8", null, "allowed by tcp:127.0.0.0/8");
    private static final ObjectMapper JSON = new ObjectMapper();

    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    final List<String> audit = Collections.synchronizedList(new ArrayList<>());
    final ConnectLimiter limiter;
    final Destinations table;
    final InstanceTraffic traffic = new InstanceTraffic();
    final AppProxy proxy;
    final InstanceProxy instance;
    final InetSocketAddress listener;
    private final List<Socket> clients = new ArrayList<>();

    ProxyFixture(NetworkPolicy.Rates rates, Duration idle) {
        this(rates, Duration.ofSeconds(5), idle, InetAddress.getLoopbackAddress());
    }

    ProxyFixture(NetworkPolicy.Rates rates, Duration connectTimeout, Duration idle, InetAddress listenOn) {
        limiter = new ConnectLimiter(rates);
        table = new Destinations(p -> limiter.release());
        proxy = new AppProxy("hello", rates, limiter, AuditLog.to(audit::add), group, connectTimeout, idle);
        ListenSocket.Bound bound = ListenSocket.tcp(listenOn, 0);
        bound.fd().setNonBlocking(true);
        listener = new InetSocketAddress(listenOn, bound.port());
        instance = proxy.attach("i-1", bound.fd().release(), table, traffic);
    }

    static NetworkPolicy.Rates rates(long bytesIn, long bytesOut) {
        return new NetworkPolicy.Rates(10_000, 10_000, NetworkPolicy.OverLimit.REFUSE, 256, bytesIn, bytesOut);
    }

    /** A client redirected to {@code destination}, admitted now and dialled after {@code delayNanos}. */
    Socket connect(InetSocketAddress destination, long delayNanos) throws IOException {
        ConnectLimiter.Admission a = limiter.admit();
        if (!a.admitted()) fail("the limiter refused: " + limiter.reason(a));
        Socket s = new Socket();
        clients.add(s);
        s.bind(new InetSocketAddress(listener.getAddress(), 0));
        table.put((InetSocketAddress) s.getLocalSocketAddress(), new Destinations.Pending(destination.getAddress(),
                destination.getPort(), ALLOWED, delayNanos, System.nanoTime()));
        s.connect(listener, 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    Socket connect(InetSocketAddress destination) throws IOException {
        return connect(destination, 0);
    }

    /** A client that connects to the listener straight, with no table entry. */
    Socket connectDirectly() throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.connect(listener, 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Waits up to 10 s for the {@code n}th audit line matching {@code which}; returns them all. */
    List<JsonNode> awaitAudit(int n, Predicate<JsonNode> which) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<JsonNode> found = new ArrayList<>();
            synchronized (audit) {
                for (String line : audit) {
                    JsonNode j = parse(line);
                    if (which.test(j)) found.add(j);
                }
            }
            if (found.size() >= n) return found;
            if (System.nanoTime() > deadline) fail("waited 10 s for " + n + " audit lines, have " + found.size() + ": " + audit);
            Thread.sleep(5);
        }
    }

    /** The close lines, once {@code n} are there. */
    List<JsonNode> awaitCloses(int n) throws InterruptedException {
        return awaitAudit(n, j -> j.get("event").asText().equals("close"));
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (Socket s : clients) s.close();
        instance.close();
        proxy.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Descriptors this process has open now. */
    static int openFds() throws IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }
}
