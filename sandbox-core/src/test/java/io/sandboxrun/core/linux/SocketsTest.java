package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** TCP_INFO's byte counters and FIONREAD on a real loopback connection: a Java client, and the accepted side as a raw fd. */
class SocketsTest {
    @Test
    void tcpBytesCountWhatWentEachWayAndTheFin() throws Exception {
        ListenSocket.Bound listener = ListenSocket.tcp(InetAddress.getLoopbackAddress(), 0);
        try (Fd l = listener.fd(); Socket client = new Socket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.port()), 5000);
            client.setSoTimeout(5000);
            try (Fd server = Fd.adopt(Accept.C.accept(l.get(), null, null))) {
                int fd = server.get();
                assertEquals(new Sockets.TcpBytes(1, 0, 0), Sockets.tcpBytes(fd)); // ESTABLISHED, nothing yet

                client.getOutputStream().write(new byte[1000]);
                await(() -> Sockets.unread(fd) == 1000, "1000 bytes waiting");
                byte[] buf = new byte[4096];
                int got = 0;
                while (got < 1000) got += server.read(buf);
                assertEquals(0, Sockets.unread(fd));
                server.writeFully(new byte[300]);
                InputStream in = client.getInputStream();
                for (int n = 0; n < 300; ) n += in.read(buf);
                await(() -> Sockets.tcpBytes(fd).acked() == 300, "300 bytes acknowledged");
                Sockets.TcpBytes before = Sockets.tcpBytes(fd);
                assertEquals(1000, before.received());
                assertFalse(before.finReceived());

                client.shutdownOutput(); // the FIN counts as one more byte received
                await(() -> Sockets.tcpBytes(fd).finReceived(), "the client's FIN");
                Sockets.TcpBytes after = Sockets.tcpBytes(fd);
                assertEquals(new Sockets.TcpBytes(Sockets.TcpBytes.CLOSE_WAIT, 300, 1001), after);
                assertFalse(after.finAcked());
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 5 s for: " + what);
            Thread.sleep(1);
        }
    }

    /** accept(2), which the bindings do not need outside this test. */
    private interface Accept extends Library {
        Accept C = Native.load("c", Accept.class);
        int accept(int fd, Pointer addr, Pointer len);
    }
}
