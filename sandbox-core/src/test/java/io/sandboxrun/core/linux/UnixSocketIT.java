package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** socketpair + SCM_RIGHTS on the real kernel (no privilege needed). */
class UnixSocketIT {
    @Test
    void carriesBytesAndOneToManyDescriptors() {
        try (UnixSocket.Pair p = UnixSocket.pair()) {
            for (int n = 0; n <= 5; n++) {
                List<Pipe> pipes = new ArrayList<>();
                for (int i = 0; i < n; i++) pipes.add(Pipe.open());
                try {
                    Fd[] send = pipes.stream().map(Pipe::writeEnd).toArray(Fd[]::new);
                    UnixSocket.send(p.first(), ("msg" + n).getBytes(StandardCharsets.US_ASCII), send);
                    try (UnixSocket.Received r = UnixSocket.receive(p.second()).orElseThrow()) {
                        assertFalse(r.endOfStream());
                        assertArrayEquals(("msg" + n).getBytes(StandardCharsets.US_ASCII), r.data());
                        assertEquals(n, r.fds().size());
                        for (int i = 0; i < n; i++) {
                            // Each received descriptor is the same pipe: what we write to it comes out of our read end.
                            r.fds().get(i).writeFully(new byte[] {(byte) i});
                            byte[] b = new byte[1];
                            assertEquals(1, pipes.get(i).readEnd().read(b));
                            assertEquals(i, b[0]);
                        }
                    }
                } finally {
                    pipes.forEach(Pipe::close);
                }
            }
        }
    }

    @Test
    void emptyWhenNothingToReadAndEndAfterClose() {
        try (UnixSocket.Pair p = UnixSocket.pair()) {
            p.second().setNonBlocking(true);
            assertTrue(UnixSocket.receive(p.second()).isEmpty(), "EAGAIN on a non-blocking socket");
            p.first().close();
            UnixSocket.Received r = UnixSocket.receive(p.second()).orElseThrow();
            assertTrue(r.endOfStream());
        }
    }

    @Test
    void oversizedMessageIsAnError() {
        try (UnixSocket.Pair p = UnixSocket.pair(); Pipe a = Pipe.open(); Pipe b = Pipe.open()) {
            UnixSocket.send(p.first(), new byte[] {1, 2, 3, 4});
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> UnixSocket.receive(p.second(), 2, 1));
            assertTrue(e.getMessage().contains("message truncated"), e.getMessage());
            // Room for one int is padded to room for two (CMSG_SPACE); three do not fit.
            UnixSocket.send(p.first(), new byte[] {1}, a.readEnd(), b.readEnd(), a.writeEnd());
            e = assertThrows(IllegalStateException.class, () -> UnixSocket.receive(p.second(), 16, 1));
            assertTrue(e.getMessage().contains("message truncated"), e.getMessage());
        }
    }

    @Test
    void refusesAnEmptyMessage() {
        try (UnixSocket.Pair p = UnixSocket.pair()) {
            assertThrows(IllegalArgumentException.class, () -> UnixSocket.send(p.first(), new byte[0]));
        }
    }
}
