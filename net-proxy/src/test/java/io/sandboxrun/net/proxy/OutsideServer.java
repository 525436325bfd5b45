package io.sandboxrun.net.proxy;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A "destination outside the sandbox" for the proxy tests: a plain blocking server on a loopback
 * address other than the proxy's (127.0.0.2, ...). It either queues each accepted socket for the
 * test to drive ({@link #next()}), or echoes each connection until its FIN and then closes.
 */
final class OutsideServer implements AutoCloseable {
    private final ServerSocket socket;
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final boolean echo;

    private OutsideServer(InetAddress at, boolean echo) throws IOException {
        this.socket = new ServerSocket();
        this.socket.bind(new InetSocketAddress(at, 0), 512);
        this.echo = echo;
        threads.execute(this::acceptLoop);
    }

    /** Accepted sockets wait for {@link #next()}. */
    static OutsideServer queueing(InetAddress at) throws IOException {
        return new OutsideServer(at, false);
    }

    /** Each connection: everything read is written back; at the client's FIN, a FIN back. */
    static OutsideServer echo(InetAddress at) throws IOException {
        return new OutsideServer(at, true);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The next accepted connection (10 s read timeout set), waiting up to 10 s for it. */
    Socket next() throws InterruptedException {
        Socket s = accepted.poll(10, TimeUnit.SECONDS);
        assertNotNull(s, "the proxy did not connect to " + address() + " within 10 s");
        return s;
    }

    /** A connection accepted within {@code millis}, or null. */
    Socket poll(long millis) throws InterruptedException {
        return accepted.poll(millis, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                s.setSoTimeout(10_000);
                if (echo) {
                    threads.execute(() -> echo(s));
                } else {
                    accepted.add(s);
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the client reset or timed out: nothing to echo to
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
        for (Socket s : accepted) s.close();
    }
}
