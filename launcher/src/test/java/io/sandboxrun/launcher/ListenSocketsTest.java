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

    /** What a test checks on an open socket's file. */
    interface OpenCheck {
        void check(Path socket, ListenSockets.Opened opened) throws IOException;
    }

    /** Opens {@code a}, runs {@code check}, and closes it whatever happened. */
    private void whileOpen(ListenAddress.Unix a, OpenCheck check) throws IOException {
        List<ListenSockets.Opened> opened = open(a);
        try {
            check.check(a.path(), opened.get(0));
        } finally {
            ListenSockets.close(opened);
        }
    }

    private static String permissions(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aUnixSocketGetsItsModeListensAndIsRecordedUntilClosed() throws IOException {
        Path sock = tmp.resolve("a.sock");
        whileOpen(new ListenAddress.Unix(sock, 0660, null, null), (s, opened) -> {
            assertEquals("rw-rw----", permissions(s));
            assertEquals("unix:" + s, opened.describe());
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(s))) {
                assertTrue(c.isConnected());
            }
            SocketRecords.Entry r = records().read(s).orElseThrow();
            assertEquals(ProcessStart.self(), r.launcher());
            assertEquals("web-0001", r.instance());
            assertEquals(SocketRecords.FileState.of(s).orElseThrow().inode(), r.inode());
        });
        assertFalse(Files.exists(sock), "the socket file goes with the instance");
        assertTrue(records().read(sock).isEmpty(), "and its record");
    }

    @Test
    void ownerAndGroupAreSetOnTheFile() throws IOException {
        int uid = (Integer) Files.getAttribute(tmp, "unix:uid"), gid = (Integer) Files.getAttribute(tmp, "unix:gid");
        whileOpen(new ListenAddress.Unix(tmp.resolve("o.sock"), 0640, new ListenAddress.Account(Integer.toString(uid), uid),
                new ListenAddress.Account(Integer.toString(gid), gid)), (s, opened) -> {
                    assertEquals(uid, Files.getAttribute(s, "unix:uid"));
                    assertEquals(gid, Files.getAttribute(s, "unix:gid"));
                    assertEquals("rw-r-----", permissions(s));
                });
    }

    @Test
    void theDefaultModeLetsOnlyTheOwnerConnect() throws IOException {
        whileOpen(new ListenAddress.Unix(tmp.resolve("d.sock")), (s, opened) -> assertEquals("rw-------", permissions(s)));
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
        Path sock = staleSocket("stale.sock");   // bound, then closed: the file stays, nobody listens on it
        whileOpen(new ListenAddress.Unix(sock), (s, opened) -> {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(s))) {
                assertTrue(c.isConnected());
            }
            assertEquals(List.of("replaced the stale socket " + s + " (nobody listened on it)"), verbose);
        });
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

    @Test
    void reclaimReportsARecordItCannotHandleAndGoesOnWithTheOthers() throws IOException {
        ProcessStart me = ProcessStart.self();
        ProcessStart gone = new ProcessStart(me.pid(), me.startTicks() + 1);
        Path stale = staleSocket("stale.sock");
        Path unreachable = Path.of("/" + "x".repeat(300));   // ENAMETOOLONG: its state cannot be read
        SocketRecords r = records();
        r.locked(() -> {
            r.write(new SocketRecords.Entry(unreachable, gone, "web", "web-1", "0:0"));
            r.write(new SocketRecords.Entry(stale, gone, "web", "web-2", inode(stale)));
            return null;
        });
        Path garbage = tmp.resolve("state").resolve(SocketRecords.DIR).resolve("0000garbage");
        Files.write(garbage, new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});   // not UTF-8

        List<String> failures = new ArrayList<>();
        List<Path> removed = ListenSockets.reclaim(tmp.resolve("state"), verbose::add, failures::add);

        assertEquals(List.of(stale), removed);
        assertFalse(Files.exists(stale));
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.contains("not a socket record, left alone: " + garbage), failures.toString());
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("cannot reclaim the socket " + unreachable + ": ")
                && f.contains("File name too long")), failures.toString());
        assertTrue(r.read(unreachable).isPresent(), "a record that could not be handled stays for the next time");
    }

    @Test
    void recoveryReportsSocketRecordsItCannotLockInsteadOfThrowing() throws IOException {
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve(SocketRecords.DIR).resolve(".lock"));   // a directory: no lock file
        Recovery.Report report = Recovery.reclaimSockets(state, verbose::add);
        assertEquals(List.of(), report.sockets());
        assertEquals(1, report.failures().size(), report.failures().toString());
        assertTrue(report.failures().get(0).startsWith("cannot reclaim the sockets recorded in " + state + ": "),
                report.failures().toString());
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
