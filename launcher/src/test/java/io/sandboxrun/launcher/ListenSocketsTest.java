package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix listen sockets in a temp dir and their access; the bind errors' words. */
class ListenSocketsTest {
    @TempDir Path tmp;

    private List<ListenSockets.Opened> open(ListenAddress a) {
        return ListenSockets.open(List.of(a));
    }

    @Test
    void aUnixSocketGetsItsModeAndListensUntilClosed() throws IOException {
        Path sock = tmp.resolve("a.sock");
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock, 0660, null, null));
        try {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            assertEquals("unix:" + sock, opened.get(0).describe());
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                assertTrue(c.isConnected());
            }
        } finally {
            ListenSockets.close(opened);
        }
        assertFalse(Files.exists(sock), "the socket file goes with the instance");
    }

    @Test
    void ownerAndGroupAreSetOnTheFile() throws IOException {
        Path sock = tmp.resolve("o.sock");
        int uid = (Integer) Files.getAttribute(tmp, "unix:uid"), gid = (Integer) Files.getAttribute(tmp, "unix:gid");
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock, 0640,
                new ListenAddress.Account(Integer.toString(uid), uid), new ListenAddress.Account(Integer.toString(gid), gid)));
        try {
            assertEquals(uid, Files.getAttribute(sock, "unix:uid"));
            assertEquals(gid, Files.getAttribute(sock, "unix:gid"));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        } finally {
            ListenSockets.close(opened);
        }
    }

    @Test
    void theDefaultModeLetsOnlyTheOwnerConnect() throws IOException {
        Path sock = tmp.resolve("d.sock");
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock));
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        } finally {
            ListenSockets.close(opened);
        }
    }

    @Test
    void aTcpBindErrorNamesTheAddressAndErrnoInWordsNotTheDescriptor() throws IOException {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Tcp("127.0.0.1", port)));
            assertEquals("cannot listen on 127.0.0.1:" + port + ": bind: EADDRINUSE (Address already in use); something"
                    + " else listens on port " + port + ": stop it or choose another port (0 picks a free one)",
                    e.getMessage());
        }
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path sock = tmp.resolve("no-dir/x.sock");
        SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Unix(sock)));
        assertEquals("cannot listen on unix:" + sock + ": bind: ENOENT (No such file or directory); the directory "
                + sock.getParent() + " does not exist", e.getMessage());
    }
}
