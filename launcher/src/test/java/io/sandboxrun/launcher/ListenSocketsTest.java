package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.ProcessStart;
import io.sandboxrun.core.policy.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix listen sockets in a temp dir: access, stale files, records, reclaim; and the bind errors' words. */
class ListenSocketsTest {
    @TempDir Path tmp;
    final List<String> verbose = new ArrayList<>();

    private List<ListenSockets.Opened> open(ListenAddress a) {
        return ListenSockets.open(List.of(a), tmp.resolve("state"), "web", "web-0001", verbose::add);
    }

    private SocketRecords records() {
        return new SocketRecords(tmp.resolve("state"));
    }

    @Test
    void aUnixSocketGetsItsModeListensAndIsRecordedUntilClosed() throws IOException {
        Path sock = tmp.resolve("a.sock");
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock, 0660, null, null));
        try {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            assertEquals("unix:" + sock, opened.get(0).describe());
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                assertTrue(c.isConnected());
            }
            SocketRecords.Entry r = records().read(sock).orElseThrow();
            assertEquals(ProcessStart.self(), r.launcher());
            assertEquals("web-0001", r.instance());
            assertEquals(SocketRecords.FileState.of(sock).orElseThrow().inode(), r.inode());
        } finally {
            ListenSockets.close(opened);
        }
        assertFalse(Files.exists(sock), "the socket file goes with the instance");
        assertTrue(records().read(sock).isEmpty(), "and its record");
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
    void aRegularFileAtThePathIsRefusedAndLeftAlone() throws IOException {
        Path file = Files.writeString(tmp.resolve("f.sock"), "data");
        SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Unix(file)));
        assertEquals("cannot listen on unix:" + file + ": " + file + " exists and is a regular file, not a socket;"
                + " remove it or choose another path", e.getMessage());
        assertEquals(ExitCodes.SETUP_FAILED, e.exitCode());
        assertEquals("data", Files.readString(file));
    }

    @Test
    void aDirectoryAtThePathIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Unix(dir)));
        assertTrue(e.getMessage().endsWith(dir + " exists and is a directory, not a socket; remove it or choose another path"),
                e.getMessage());
    }

    @Test
    void aSocketSomeoneServesIsRefused() throws IOException {
        Path sock = tmp.resolve("live.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Unix(sock)));
            assertEquals("cannot listen on unix:" + sock + ": " + sock + " is in use: something accepts connections on"
                    + " it; stop it or choose another path", e.getMessage());
        }
    }

    @Test
    void aSocketOfARunningLauncherIsRefusedNamingIt() {
        Path sock = tmp.resolve("mine.sock");
        List<ListenSockets.Opened> first = open(new ListenAddress.Unix(sock));
        try {
            SetupException e = assertThrows(SetupException.class, () -> open(new ListenAddress.Unix(sock)));
            assertEquals("cannot listen on unix:" + sock + ": " + sock + " is the socket of app \"web\" (instance"
                    + " web-0001) of the running sandbox-run launcher pid " + ProcessHandle.current().pid()
                    + "; stop it or choose another path", e.getMessage());
        } finally {
            ListenSockets.close(first);
        }
    }

    @Test
    void aStaleSocketIsReplaced() throws IOException {
        Path sock = tmp.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
        }   // closed, the file stays: nobody listens on it
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock));
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            assertTrue(c.isConnected());
            assertEquals(List.of("replaced the stale socket " + sock + " (nobody listened on it)"), verbose);
        } finally {
            ListenSockets.close(opened);
        }
    }

    @Test
    void closingLeavesAFileThatIsNoLongerTheSocketWeBound() throws IOException {
        Path sock = tmp.resolve("moved.sock");
        List<ListenSockets.Opened> opened = open(new ListenAddress.Unix(sock));
        Files.delete(sock);
        Files.writeString(sock, "someone else's");
        ListenSockets.close(opened);
        assertEquals("someone else's", Files.readString(sock));
    }

    @Test
    void reclaimRemovesTheSocketsOfGoneLaunchersOnly() throws IOException {
        ProcessStart me = ProcessStart.self();
        ProcessStart gone = new ProcessStart(me.pid(), me.startTicks() + 1);   // the pid, reused by another process
        Path stale = staleSocket("stale.sock");
        Path replaced = staleSocket("replaced.sock");
        Path mine = staleSocket("mine.sock");
        SocketRecords r = records();
        r.locked(() -> {
            r.write(new SocketRecords.Entry(stale, gone, "web", "web-1", inode(stale)));
            r.write(new SocketRecords.Entry(replaced, gone, "web", "web-2", "0:0"));
            r.write(new SocketRecords.Entry(mine, me, "web", "web-3", inode(mine)));
            return null;
        });
        List<String> failures = new ArrayList<>();
        List<Path> removed = ListenSockets.reclaim(tmp.resolve("state"), verbose::add, failures::add);
        assertEquals(List.of(stale), removed);
        assertEquals(List.of(), failures);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(replaced), "another file at the path is not ours to remove");
        assertTrue(r.read(replaced).isEmpty(), "but its record goes");
        assertTrue(Files.exists(mine) && r.read(mine).isPresent(), "a live launcher's socket stays");
        assertEquals(List.of("removed the socket " + stale + " of app web: its launcher pid " + me.pid() + " is gone"),
                verbose);
    }

    @Test
    void aRecordRoundTripsAndForeignTextIsNotOne() {
        SocketRecords.Entry e = new SocketRecords.Entry(Path.of("/run/apps/x y.sock"), new ProcessStart(12, 34), "web",
                "web-0001", "65024:99");
        assertEquals("sandbox-run/1 socket launcher=12:34 app=web instance=web-0001 inode=65024:99\n/run/apps/x y.sock\n",
                e.encode());
        assertEquals(java.util.Optional.of(e), SocketRecords.Entry.parse(e.encode()));
        assertTrue(SocketRecords.Entry.parse("hello\n").isEmpty());
        assertTrue(SocketRecords.Entry.parse("sandbox-run/1 socket launcher=12 app=a instance=b inode=1:2\n/x\n").isEmpty());
        assertTrue(SocketRecords.Entry.parse("sandbox-run/1 socket launcher=1:2 app=a instance=b inode=1:2\nrel\n").isEmpty());
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

    private Path staleSocket(String name) throws IOException {
        Path p = tmp.resolve(name);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(p));
        }
        return p;
    }

    private static String inode(Path p) {
        return SocketRecords.FileState.of(p).orElseThrow().inode();
    }
}
