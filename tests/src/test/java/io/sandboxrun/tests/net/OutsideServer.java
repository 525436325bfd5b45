package io.sandboxrun.tests.net;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server "outside" the sandbox, on a host loopback address the test picks (127.0.0.2, ::1 ...),
 * on a port chosen by binding to 0. It counts what reached it, so a test can prove that a refused
 * connection never arrived.
 */
final class OutsideServer implements AutoCloseable {
    /** What a TCP server does with each connection. */
    enum Kind {
        /** Copies what it reads back until EOF. */
        ECHO,
        /** Reads to EOF (the client's half-close), then answers {@code SHA256HEX COUNT\n} and closes. */
        SHA256,
        /** Reads a line {@code N\n}, sends N random bytes and closes; records their SHA-256. */
        SOURCE,
        /** Accepts and closes at once (a listener that must see nothing). */
        COUNT
    }

    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "outside-server");
        t.setDaemon(true);
        return t;
    });
    /** Connections accepted (TCP), datagrams received (UDP), or requests served (HTTP). */
    final AtomicInteger accepted = new AtomicInteger();
    /** SHA256 servers: the digest of each upload; SOURCE: of each download, in hex. */
    final List<String> digests = new CopyOnWriteArrayList<>();
    /** Peers (ip:port) of the accepted connections or datagrams. */
    final List<String> peers = new CopyOnWriteArrayList<>();

    private OutsideServer(ServerSocket tcp, DatagramSocket udp, HttpServer http) {
        this.tcp = tcp;
        this.udp = udp;
        this.http = http;
    }

    static OutsideServer tcp(String address, Kind kind) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        OutsideServer o = new OutsideServer(s, null, null);
        o.pool.execute(() -> o.acceptLoop(kind));
        return o;
    }

    /** Receives datagrams and counts them. */
    static OutsideServer udp(String address) throws IOException {
        DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        OutsideServer o = new OutsideServer(null, d, null);
        o.pool.execute(o::receiveLoop);
        return o;
    }

    /** GET /hello answers 200 {@code hello from outside\n}. */
    static OutsideServer http(String address) throws IOException {
        HttpServer h = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        OutsideServer o = new OutsideServer(null, null, h);
        h.createContext("/hello", ex -> {
            o.accepted.incrementAndGet();
            o.peers.add(ex.getRemoteAddress().toString());
            byte[] body = "hello from outside\n".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        h.setExecutor(o.pool);
        h.start();
        return o;
    }

    int port() {
        if (tcp != null) return tcp.getLocalPort();
        if (udp != null) return udp.getLocalPort();
        return http.getAddress().getPort();
    }

    /** The address as netprobe.py and an allow rule take it: {@code 127.0.0.2}, {@code ::1}. */
    String host() {
        InetAddress a = tcp != null ? tcp.getInetAddress() : udp != null ? udp.getLocalAddress() : http.getAddress().getAddress();
        String s = a.getHostAddress();
        return s.equals("0:0:0:0:0:0:0:1") ? "::1" : s;
    }

    /** netprobe.py's words for this server: {@code 127.0.0.2 40123}. */
    String at() {
        return host() + " " + port();
    }

    private void acceptLoop(Kind kind) {
        while (!tcp.isClosed()) {
            Socket c;
            try {
                c = tcp.accept();
            } catch (IOException e) {
                return;   // closed
            }
            accepted.incrementAndGet();
            peers.add(c.getInetAddress().getHostAddress() + ":" + c.getPort());
            pool.execute(() -> serve(kind, c));
        }
    }

    private void serve(Kind kind, Socket c) {
        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            switch (kind) {
                case ECHO -> in.transferTo(out);
                case SHA256 -> {
                    MessageDigest md = sha256();
                    byte[] buf = new byte[1 << 16];
                    long count = 0;
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        count += n;
                    }
                    String hex = HexFormat.of().formatHex(md.digest());
                    digests.add(hex);
                    out.write((hex + " " + count + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                case SOURCE -> {
                    StringBuilder line = new StringBuilder();
                    for (int b; (b = in.read()) != '\n'; ) {
                        if (b < 0) return;
                        line.append((char) b);
                    }
                    long left = Long.parseLong(line.toString().trim());
                    MessageDigest md = sha256();
                    SplittableRandom random = new SplittableRandom();
                    byte[] buf = new byte[1 << 16];
                    while (left > 0) {
                        int n = (int) Math.min(buf.length, left);
                        for (int i = 0; i < n; i += 8) {
                            long r = random.nextLong();
                            for (int j = 0; j < 8 && i + j < n; j++) buf[i + j] = (byte) (r >>> (8 * j));
                        }
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                        left -= n;
                    }
                    digests.add(HexFormat.of().formatHex(md.digest()));
                }
                case COUNT -> { }
            }
        } catch (IOException e) {
            // the client went away; what arrived is counted already
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[2048];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (SocketException e) {
                return;   // closed
            } catch (IOException e) {
                continue;
            }
            accepted.incrementAndGet();
            peers.add(p.getSocketAddress().toString());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (tcp != null) tcp.close();
            if (udp != null) udp.close();
            if (http != null) http.stop(0);
        } catch (IOException e) {
            // cleanup: the socket is gone either way
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
