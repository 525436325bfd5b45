package io.sandboxrun.tests.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cloud-metadata and private-range walls with a real route to them: the launcher (the CLI)
 * runs in a network namespace whose only way to 169.254.169.254 and 10.200.0.2 is a veth to a
 * second namespace that holds both addresses and listens on them. A wildcard rule reaches
 * neither; a rule naming the private range reaches that one.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetMetadataNetnsIT {
    static final String ID = UUID.randomUUID().toString().substring(0, 8);
    /** The launcher's namespace, and the one with the "metadata service" and the private host. */
    static final String LAUNCHER_NS = "sbxt-" + ID + "-l", TARGET_NS = "sbxt-" + ID + "-t";
    static final String METADATA = "169.254.169.254", PRIVATE = "10.200.0.2", LAUNCHER_SIDE = "10.200.0.1";

    /** Listens on the given TCP endpoints and one UDP endpoint; one line per connection or datagram. */
    static final String LISTENER = String.join("\n",
            "import selectors, socket, sys",
            "sel = selectors.DefaultSelector()",
            "ports = []",
            "for spec in sys.argv[1:]:",
            "    kind, addr, port = spec.split(':')",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == 'tcp' else socket.SOCK_DGRAM)",
            "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "    s.bind((addr, int(port)))",
            "    if kind == 'tcp': s.listen(16)",
            "    ports.append(str(s.getsockname()[1]))",
            "    sel.register(s, selectors.EVENT_READ, kind)",
            "print('ready', *ports, flush=True)",
            "while True:",
            "    for key, _ in sel.select():",
            "        s = key.fileobj",
            "        if key.data == 'udp':",
            "            data, peer = s.recvfrom(2048)",
            "            print('udp %s:%d from %s:%d' % (s.getsockname() + peer), flush=True)",
            "            continue",
            "        c, peer = s.accept()",
            "        print('tcp %s:%d from %s:%d' % (s.getsockname() + peer), flush=True)",
            "        c.settimeout(2)",
            "        try:",
            "            data = c.recv(4096)",
            "            if data: c.sendall(data)",
            "        except OSError:",
            "            pass",
            "        c.close()",
            "");

    static NetSandbox net;
    static Process listener;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static int privatePort, udpPort;

    @BeforeAll
    static void setUp() throws Exception {
        NetSandbox.requireOrSkip(new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute(),
                "needs iproute2's ip to make the test's network namespaces");
        NetSandbox.requireOrSkip(new File("/usr/bin/nsenter").canExecute(), "needs util-linux's nsenter");
        net = new NetSandbox();
        sh("ip", "netns", "add", LAUNCHER_NS);
        sh("ip", "netns", "add", TARGET_NS);
        String vl = "sbxl" + ID, vt = "sbxt" + ID;
        // Made inside the launcher's namespace with its peer in the target's: nothing lands in the host's.
        sh("ip", "-n", LAUNCHER_NS, "link", "add", vl, "type", "veth", "peer", "name", vt, "netns", TARGET_NS);
        sh("ip", "-n", LAUNCHER_NS, "link", "set", "lo", "up");
        sh("ip", "-n", LAUNCHER_NS, "addr", "add", LAUNCHER_SIDE + "/24", "dev", vl);
        sh("ip", "-n", LAUNCHER_NS, "link", "set", vl, "up");
        sh("ip", "-n", LAUNCHER_NS, "route", "add", METADATA + "/32", "via", PRIVATE);
        sh("ip", "-n", TARGET_NS, "link", "set", "lo", "up");
        sh("ip", "-n", TARGET_NS, "addr", "add", PRIVATE + "/24", "dev", vt);
        sh("ip", "-n", TARGET_NS, "addr", "add", METADATA + "/32", "dev", vt);
        sh("ip", "-n", TARGET_NS, "link", "set", vt, "up");

        listener = new ProcessBuilder("ip", "netns", "exec", TARGET_NS, "python3", "-c", LISTENER,
                "tcp:" + METADATA + ":80", "tcp:" + PRIVATE + ":0", "udp:" + PRIVATE + ":0")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        assertTrue(ready != null && ready.startsWith("ready "), "listener did not start: " + ready);
        String[] ports = ready.split(" ");
        privatePort = Integer.parseInt(ports[2]);
        udpPort = Integer.parseInt(ports[3]);
        Thread t = new Thread(() -> out.lines().forEach(seen::add), "netns-listener");
        t.setDaemon(true);
        t.start();

        // The control: outside any sandbox, the launcher's namespace does reach both listeners.
        String reach = "import socket\nfor a, p in (('" + METADATA + "', 80), ('" + PRIVATE + "', " + privatePort + ")):\n"
                + "    socket.create_connection((a, p), timeout=3).close()\n";
        sh("ip", "netns", "exec", LAUNCHER_NS, "python3", "-c", reach);
        awaitSeen(2);
        assertEquals(2, seen.size(), "the control connections: " + seen);
        seen.clear();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (listener != null) {
            listener.destroy();
            if (!listener.waitFor(5, TimeUnit.SECONDS)) listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        for (String ns : List.of(LAUNCHER_NS, TARGET_NS)) {
            if (Files.exists(Path.of("/run/netns", ns))) run("ip", "netns", "del", ns);   // the veth goes with it
        }
        for (String ns : List.of(LAUNCHER_NS, TARGET_NS)) {
            assertTrue(!Files.exists(Path.of("/run/netns", ns)), "namespace " + ns + " left behind");
        }
        String links = run("ip", "-o", "link");
        assertTrue(!links.contains("sbxl" + ID) && !links.contains("sbxt" + ID), "veth left in the host: " + links);
        if (net != null) net.close();
    }

    @BeforeEach
    void forgetEarlierConnections() {
        seen.clear();
    }

    static void awaitSeen(int n) throws InterruptedException {
        for (int i = 0; i < 50 && seen.size() < n; i++) Thread.sleep(20);
    }

    /** The CLI, run inside the launcher's namespace: nsenter switches only the network namespace. */
    static NetSandbox.Probe cli(Path audit, List<String> allow, String... steps) throws Exception {
        String app = Harness.appName("net-netns");
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + LAUNCHER_NS, "--",
                Harness.repo().resolve("bin/sandbox-run").toString(), "--state-dir", net.h.stateDir.toString(),
                "--app", app, "--app-root", net.h.appRoot.toString(), "--audit-log", audit.toString(),
                "--result-json", resultJson(audit).toString()));
        for (String a : allow) cmd.addAll(List.of("--allow", a));
        cmd.addAll(List.of("--", "python3", "netprobe.py"));
        cmd.addAll(List.of(steps));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sandbox-run did not finish");
        }
        return new NetSandbox.Probe(app, new Harness.Run(null, out.get(), "exit " + p.exitValue() + "\n" + err.get()),
                new NetSandbox.Audit(audit));
    }

    static Path resultJson(Path audit) {
        return audit.resolveSibling(audit.getFileName() + ".result.json");
    }

    @Test
    void wildcardReachesNeitherMetadataNorPrivateAddresses() throws Exception {
        Path audit = net.newAuditLog();
        NetSandbox.Probe p = cli(audit, List.of("tcp:0.0.0.0/0"),
                "echo " + METADATA + " 80", "echo " + PRIVATE + " " + privatePort, "udp " + PRIVATE + " " + udpPort);
        p.failed(0, "ECONNREFUSED");
        p.failed(1, "ECONNREFUSED");
        JsonNode udp = p.step(2);
        System.out.println("udp to " + PRIVATE + " from the sandbox: " + udp);
        Thread.sleep(300);
        assertEquals(List.of(), seen, "the listeners saw these; " + p);
        JsonNode metadata = p.audit().await(1, "metadata", NetSandbox.Audit.event("connect", METADATA + ":80")).get(0);
        assertEquals("deny", metadata.path("decision").asText(), metadata.toString());
        assertTrue(metadata.path("reason").asText().contains("link-local"), metadata.toString());
        JsonNode priv = p.audit().await(1, "private",
                NetSandbox.Audit.event("connect", PRIVATE + ":" + privatePort)).get(0);
        assertEquals("deny", priv.path("decision").asText(), priv.toString());
        assertTrue(priv.path("reason").asText().contains("private"), priv.toString());
        JsonNode network = NetSandbox.JSON.readTree(resultJson(audit).toFile()).get("network");
        assertEquals("{\"connections_allowed\":0,\"connections_denied\":2,\"connections_local\":0,\"bytes_in\":0,"
                + "\"bytes_out\":0}", network.toString(), "--result-json network");
    }

    @Test
    void ruleNamingThePrivateRangeReachesItButNotMetadataOrOtherPorts() throws Exception {
        Path audit = net.newAuditLog();
        NetSandbox.Probe p = cli(audit, List.of("tcp:10.200.0.0/16:" + privatePort, "tcp:0.0.0.0/0"),
                "echo " + PRIVATE + " " + privatePort, "echo " + METADATA + " 80", "echo " + PRIVATE + " 80",
                "echo 10.201.0.1 " + privatePort);
        p.ok(0);
        for (int i = 1; i < 4; i++) p.failed(i, "ECONNREFUSED");
        awaitSeen(1);
        Thread.sleep(200);
        assertEquals(List.of("tcp " + PRIVATE + ":" + privatePort + " from " + LAUNCHER_SIDE),
                seen.stream().map(s -> s.substring(0, s.lastIndexOf(':'))).toList(), "what the listeners saw; " + p);
        JsonNode allowed = p.audit().await(1, "allowed", NetSandbox.Audit.event("connect", PRIVATE + ":" + privatePort)
                .and(j -> j.path("decision").asText().equals("allow"))).get(0);
        assertEquals("tcp:10.200.0.0/16:" + privatePort, allowed.path("rule").asText(), allowed.toString());
        JsonNode port = p.audit().await(1, "other port", NetSandbox.Audit.event("connect", PRIVATE + ":80")).get(0);
        assertEquals("deny", port.path("decision").asText(), port.toString());
        assertTrue(port.path("reason").asText().contains("port 80"), port.toString());
        JsonNode unnamed = p.audit().await(1, "unnamed private",
                NetSandbox.Audit.event("connect", "10.201.0.1:" + privatePort)).get(0);
        assertEquals("deny", unnamed.path("decision").asText(), unnamed.toString());
        assertTrue(unnamed.path("reason").asText().contains("private"), unnamed.toString());
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command; fails the test with its output when it fails. */
    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    /** Runs a command for cleanup: its output, whatever its status. */
    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = read(p.getInputStream());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
