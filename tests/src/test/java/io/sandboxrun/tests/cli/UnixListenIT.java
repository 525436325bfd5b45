package io.sandboxrun.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.RequirementsExtension;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --listen unix:PATH} across launcher lifetimes, as a user runs it (bin/sandbox-run in its
 * own process): the socket file a SIGKILLed launcher leaves is replaced by the next launch or
 * removed by {@code gc}; a regular file or a served socket at the path is refused, by name; the
 * file gets the owner and group asked.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class UnixListenIT {
    static Harness h;
    static Path sockets;
    final List<Process> launchers = new ArrayList<>();
    /** The apps of the launchers a test started: the instance cgroups a killed one left are removed after it. */
    final List<String> apps = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        h = new Harness();
        sockets = h.newDir("sockets");
        // Accepts on the socket passed as fd 3 and answers each connection with its argument.
        TestDirs.write(h.appRoot, "answer.py", "import socket, sys\n"
                + "s = socket.socket(fileno=3)\n"
                + "while True:\n"
                + "    c, _ = s.accept()\n"
                + "    c.sendall(sys.argv[1].encode() + b'\\n')\n"
                + "    c.close()\n", "rw-r--r--");
    }

    @AfterAll
    static void tearDown() {
        if (h != null) h.close();
    }

    /**
     * Every launcher a test started and left running is killed, whatever failed, and the instance
     * cgroups the killed ones left are removed (only this test's apps').
     */
    @AfterEach
    void stopLaunchers() throws Exception {
        for (Process p : launchers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        CliIT.removeApps(h, apps);
    }

    private Process launch(Path socket, String answer) throws IOException {
        return launch("unix:" + socket, answer);
    }

    /** bin/sandbox-run --listen {@code listen} of answer.py as a new app. */
    private Process launch(String listen, String answer) throws IOException {
        String app = Harness.appName("unix");
        apps.add(app);
        Process p = new ProcessBuilder(Harness.repo().resolve("bin/sandbox-run").toString(), "--state-dir",
                h.stateDir.toString(), "--app", app, "--app-root", h.appRoot.toString(),
                "--listen", listen, "--", "python3", "answer.py", answer)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        launchers.add(p);
        return p;
    }

    private static CliIT.Result cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Harness.repo().resolve("bin/sandbox-run").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var out = CompletableFuture.supplyAsync(() -> CliIT.read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> CliIT.read(p.getErrorStream()));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sandbox-run did not finish");
        return new CliIT.Result(p.exitValue(), out.get(), err.get());
    }

    /** The first line a connection to {@code socket} gets, waiting (20 s at most) for the app to start. */
    private static String answer(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return CompletableFuture.supplyAsync(() -> readLine(socket)).get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // not there yet: the launcher has not bound it
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(50);
            }
        }
    }

    private static String readLine(Path socket) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer b = ByteBuffer.allocate(256);
            while (c.read(b) >= 0 && (b.position() == 0 || b.get(b.position() - 1) != '\n')) {
                // read to the end of the line
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSocketOfAKilledLauncherIsReplacedByTheNextLaunch() throws Exception {
        Path socket = sockets.resolve("again.sock");
        Process first = launch(socket, "first");
        assertEquals("first", answer(socket));
        first.destroyForcibly();   // SIGKILL: no cleanup code of the launcher runs
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        assertTrue(Files.exists(socket), "a killed launcher cannot remove its socket file");
        // The sandbox died with its launcher: nobody listens any more.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && connects(socket)) Thread.sleep(20);
        assertFalse(connects(socket), "the killed launcher's socket still accepts");

        Process second = launch(socket, "second");
        assertEquals("second", answer(socket));
        Signals.send((int) second.pid(), Signals.SIGTERM);
        assertTrue(second.waitFor(20, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket), "a launcher that ends removes its socket");
        assertEquals(List.of(), records(), "and its record");
    }

    @Test
    void gcRemovesTheSocketOfAKilledLauncher() throws Exception {
        Path socket = sockets.resolve("gc.sock");
        Process launcher = launch(socket, "gc");
        assertEquals("gc", answer(socket));
        launcher.destroyForcibly();
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && connects(socket)) Thread.sleep(20);

        CliIT.Result gc = cli("gc", "--state-dir", h.stateDir.toString());
        assertEquals(0, gc.code(), gc.out() + gc.err());
        assertTrue(gc.out().contains("removed the socket " + socket + " of app unix-"), gc.out());
        assertFalse(Files.exists(socket));
        assertEquals(List.of(), records());
    }

    /**
     * owner= and group= are set on the socket file: a user and a group that are not the launcher's
     * (root), with ids from this host's /etc/passwd and /etc/group, so a chown left out shows.
     */
    @Test
    void theSocketFileGetsTheOwnerAndGroupAsked() throws Exception {
        Optional<String[]> nobody = entry(Path.of("/etc/passwd"), "nobody");
        RequirementsExtension.require(nobody.isPresent(), "requires the user nobody in /etc/passwd");
        int uid = Integer.parseInt(nobody.get()[2]), gid = Integer.parseInt(nobody.get()[3]);
        // Its group by name (Debian's nogroup), as a user writes it: group= resolves names too.
        Optional<String[]> group = Files.readAllLines(Path.of("/etc/group")).stream().map(l -> l.split(":"))
                .filter(f -> f.length >= 3 && f[2].equals(Integer.toString(gid))).findFirst();
        RequirementsExtension.require(group.isPresent(), "requires a group with nobody's gid " + gid + " in /etc/group");
        assertTrue(uid != 0 && gid != 0, "nobody is root here: the test would prove nothing");

        Path socket = sockets.resolve("owned.sock");
        Process launcher = launch("unix:" + socket + ",mode=0660,owner=nobody,group=" + group.get()[0], "owned");
        assertEquals("owned", answer(socket));
        assertEquals(uid, Files.getAttribute(socket, "unix:uid"), "owner=nobody: nobody's uid, not the launcher's");
        assertEquals(gid, Files.getAttribute(socket, "unix:gid"), "group=" + group.get()[0]);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        Signals.send((int) launcher.pid(), Signals.SIGTERM);
        assertTrue(launcher.waitFor(20, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket), "a launcher that ends removes its socket, whoever owns it");
    }

    /** The fields of {@code name}'s line in a passwd(5)/group(5) file. */
    private static Optional<String[]> entry(Path file, String name) throws IOException {
        return Files.readAllLines(file).stream().map(l -> l.split(":")).filter(f -> f.length >= 4 && f[0].equals(name))
                .findFirst();
    }

    @Test
    void aRegularFileAtThePathIsRefusedNamingIt() throws Exception {
        Path file = Files.writeString(sockets.resolve("file.sock"), "not a socket");
        CliIT.Result r = cli("--state-dir", h.stateDir.toString(), "--app-root", h.appRoot.toString(),
                "--listen", "unix:" + file, "--", "true");
        assertEquals(125, r.code(), r.err());
        assertEquals("sandbox-run: cannot listen on unix:" + file + ": " + file + " exists and is a regular file,"
                + " not a socket; remove it or choose another path", r.err().strip());
        assertEquals("not a socket", Files.readString(file));
    }

    @Test
    void aSocketSomeoneServesIsRefused() throws Exception {
        Path socket = sockets.resolve("served.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CliIT.Result r = cli("--state-dir", h.stateDir.toString(), "--app-root", h.appRoot.toString(),
                    "--listen", "unix:" + socket, "--", "true");
            assertEquals(125, r.code(), r.err());
            assertEquals("sandbox-run: cannot listen on unix:" + socket + ": " + socket + " is in use: something"
                    + " accepts connections on it; stop it or choose another path", r.err().strip());
            assertTrue(Files.exists(socket));
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private static boolean connects(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    private static List<String> records() throws IOException {
        Path dir = h.stateDir.resolve("sockets");
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
