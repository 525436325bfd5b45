package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading policy files: what valid files produce, and the file-level failures. */
class PolicyLoaderTest {
    private static final Path GOOD = PolicyFiles.dir("good");

    @TempDir Path tmp;

    @Test
    void yamlAndJsonProduceTheSameLayer() {
        PolicyLayer yaml = PolicyFiles.load(GOOD.resolve("hello.yaml"));
        PolicyLayer json = PolicyFiles.load(GOOD.resolve("hello.json"));

        assertEquals(PolicyFiles.values(yaml), PolicyFiles.values(json));
    }

    @Test
    void yamlLayerHoldsEveryKey() {
        PolicyLayer layer = PolicyFiles.load(GOOD.resolve("hello.yaml"));
        Policy o = layer.values();

        assertEquals("hello.yaml", layer.source());
        assertEquals("hello", o.app());
        assertEquals(GOOD.toAbsolutePath().normalize(), o.appRoot());
        assertEquals(List.of("python3", "serve.py"), o.command());
        assertEquals(Map.of("DEBUG", "1", "GREETING", "hello, world", "FEATURE", "on"), o.env());
        assertEquals("/usr/local/bin:/usr/bin:/bin", o.path());
        assertEquals("hello-box", o.hostname());
        assertEquals(128L << 20, o.tmpSize());
        assertEquals(LandlockMode.OFF, o.landlock());
        assertEquals(List.of(new ListenAddress.Tcp("127.0.0.1", 8080), new ListenAddress.Tcp("::1", 8081),
                new ListenAddress.Unix(Path.of("/run/apps/hello.sock"), 0660, null, new ListenAddress.Account("www-data", 33))),
                o.listen());
        assertEquals(List.of(Path.of("/usr")), o.roBinds());
        assertEquals(Map.of(Rlimit.NOFILE, RlimitValue.of(4096), Rlimit.CORE, RlimitValue.of(0),
                Rlimit.FSIZE, RlimitValue.of(32L << 20), Rlimit.NPROC, new RlimitValue(64, 128),
                Rlimit.STACK, RlimitValue.of(RlimitValue.UNLIMITED)), o.rlimits());
        assertEquals(new Policy.Identity(1001, 1002, 300000L, 1000), o.user());
        assertEquals(Path.of("/run/sandbox-run-test"), o.stateDir());
        assertEquals(CgroupPolicy.Mode.REQUIRED, o.cgroup().mode());
        assertEquals("/sandbox-run", o.cgroup().root());
        assertEquals(new Limits(256L << 20, 200L << 20, 500, 200, Limits.UNLIMITED,
                List.of(new IoLimit("8:0", null, 10L << 20, Limits.UNLIMITED, null))), o.limits());
        assertEquals(new Limits(128L << 20, null, null, null, 64L, null), o.instanceLimits());
        assertEquals(new NetworkPolicy(null,
                List.of(new NetRule.Tcp(ip("10.0.0.0"), 8, 443, 443), new NetRule.Tcp(ip("2001:db8::"), 32, 8000, 8100),
                        new NetRule.Host("api.example.com", 443, 443), new NetRule.Host("*.example.org", 1, 65535)),
                new NetworkPolicy.Dns(List.of(new InetSocketAddress(ip("192.0.2.53"), 53),
                        new InetSocketAddress(ip("2001:db8::53"), 5353)), false),
                new NetworkPolicy.Rates(50, 100, NetworkPolicy.OverLimit.DELAY, 64, 1L << 20, 0L),
                GOOD.resolve("logs/audit.jsonl")),
                o.network());
    }

    @Test
    void originsPointAtEachValue() {
        PolicyLayer o = PolicyFiles.load(GOOD.resolve("hello.yaml"));

        assertEquals(new PolicyOrigin("hello.yaml", 3, 11, "app-root"), o.origin("app-root"));
        assertEquals(new PolicyOrigin("hello.yaml", 14, 12, "ro-binds[0]"), o.origin("ro-binds[0]"));
        assertEquals(new PolicyOrigin("hello.yaml", 22, 8, "user.uid"), o.origin("user.uid"));
        assertEquals(new PolicyOrigin("hello.yaml", 6, 10, "env.DEBUG"), o.origin("env.DEBUG"));
        assertEquals(new PolicyOrigin("hello.yaml", 28, 9, "cgroup.mode"), o.origin("cgroup.mode"));
        assertEquals(new PolicyOrigin("hello.yaml", 31, 11, "limits.memory"), o.origin("limits.memory"));
        assertEquals(new PolicyOrigin("hello.yaml", 33, 9, "limits.cpus"), o.origin("limits.cpus"));
        assertEquals(new PolicyOrigin("hello.yaml", 37, 7, "limits.io[0]"), o.origin("limits.io[0]"));
        assertEquals(new PolicyOrigin("hello.yaml", 38, 13, "limits.io[0].wbps"), o.origin("limits.io[0].wbps"));
        assertEquals(new PolicyOrigin("hello.yaml", 42, 9, "instance-limits.pids"), o.origin("instance-limits.pids"));
        assertEquals(new PolicyOrigin("hello.yaml", 45, 5, "network.allow"), o.origin("network.allow"));
        assertEquals(new PolicyOrigin("hello.yaml", 46, 7, "network.allow[1]"), o.origin("network.allow[1]"));
        assertEquals(new PolicyOrigin("hello.yaml", 50, 28, "network.dns.upstream[1]"), o.origin("network.dns.upstream[1]"));
        assertEquals(new PolicyOrigin("hello.yaml", 51, 15, "network.dns.any-name"), o.origin("network.dns.any-name"));
        assertEquals(new PolicyOrigin("hello.yaml", 54, 12, "network.rates.burst"), o.origin("network.rates.burst"));
        assertEquals(new PolicyOrigin("hello.yaml", 58, 20, "network.rates.bandwidth-out"),
                o.origin("network.rates.bandwidth-out"));
        assertEquals(new PolicyOrigin("hello.yaml", 59, 14, "network.audit-log"), o.origin("network.audit-log"));
    }

    @Test
    void absentKeysStayUnset() throws IOException {
        Policy o = PolicyFiles.load(write("small.yaml", "app: hello\n")).values();

        assertEquals("hello", o.app());
        assertNull(o.appRoot());
        assertNull(o.command());
        assertNull(o.env());
        assertNull(o.tmpSize());
        assertNull(o.user());
        assertNull(o.rlimits());
        assertNull(o.cgroup());
        assertNull(o.limits());
        assertNull(o.instanceLimits());
        assertNull(o.network());
    }

    @Test
    void limitsAreSetKeyByKey() throws IOException {
        Policy o = PolicyFiles.load(write("l.yaml", "limits:\n  cpus: 2\n  pids: 100\ninstance-limits: {}\n")).values();

        assertEquals(new Limits(null, null, 2000, null, 100L, null), o.limits());
        assertEquals(new Limits(null, null, null, null, null, null), o.instanceLimits());
    }

    @Test
    void anEmptyIoListIsSet() throws IOException {
        Policy o = PolicyFiles.load(write("io.json", "{\"instance-limits\": {\"io\": []}}")).values();

        assertEquals(Limits.none().withIo(List.of()), o.instanceLimits());
        assertNull(o.limits());
    }

    @Test
    void cgroupModeOffStaysAWordAndRootMayBeEmpty() throws IOException {
        Policy o = PolicyFiles.load(write("c.yaml", "cgroup:\n  mode: off\n  root:\n")).values();

        assertEquals(CgroupPolicy.Mode.OFF, o.cgroup().mode());
        assertNull(o.cgroup().root());
    }

    @Test
    void anUnquotedDeviceNumberIsText() throws IOException {
        Policy o = PolicyFiles.load(write("d.yaml", "limits:\n  io:\n    - {device: 259:0, rbps: 1024, wiops: 10}\n")).values();

        assertEquals(List.of(new IoLimit("259:0", 1024L, null, null, 10L)), o.limits().io());
    }

    @Test
    void networkFieldsAreSetOneByOne() throws IOException {
        Policy o = PolicyFiles.load(write("n.json", "{\"network\": {\"rates\": {\"burst\": 5}, \"dns\": {\"any-name\": true}}}")).values();

        assertEquals(new NetworkPolicy(null, null, new NetworkPolicy.Dns(null, true),
                new NetworkPolicy.Rates(null, 5, null, null, null, null), null), o.network());
    }

    @Test
    void anEmptyAllowListIsSetAndAnEmptyUpstreamIsTheHostsResolvers() throws IOException {
        PolicyLayer o = PolicyFiles.load(write("e.yaml", "network:\n  allow: []\n  dns:\n    upstream:\n  audit-log:\n"));

        assertEquals(new NetworkPolicy(null, List.of(), new NetworkPolicy.Dns(List.of(), null), null, null),
                o.values().network());
        assertEquals(new PolicyOrigin("e.yaml", 5, 13, "network.audit-log"), o.origin("network.audit-log"));
    }

    @Test
    void anEmptyNetworkSetsNothing() throws IOException {
        PolicyLayer o = PolicyFiles.load(write("e.yaml", "network: {dns: {}, rates: {}}\n"));

        for (PolicySchema.Leaf leaf : PolicySchema.policy().leaves()) {
            if (leaf.path().startsWith("network.")) assertNull(leaf.get(o.values()), leaf.path());
        }
        assertEquals(new PolicyOrigin("e.yaml", 1, 27, "network.rates"), o.origin("network.rates.burst"));
    }

    @Test
    void relativeAuditLogResolvesAgainstTheFilesDirectory() throws IOException {
        Path file = write("app/sandbox.yaml", "network: {audit-log: ../logs/./audit.jsonl}\n");

        assertEquals(tmp.resolve("logs/audit.jsonl"), PolicyLoader.load(file).values().network().auditLog());
    }

    @Test
    void relativeAppRootResolvesAgainstTheFilesDirectory() throws IOException {
        Path file = write("app/sandbox.yml", "app-root: ../code/./src\n");

        assertEquals(tmp.resolve("code/src"), PolicyLoader.load(file).values().appRoot());
    }

    @Test
    void userFieldsAreSetOneByOne() throws IOException {
        Policy o = PolicyFiles.load(write("u.json", "{\"user\": {\"gid\": 5}}")).values();

        assertEquals(new Policy.Identity(null, 5, null, null), o.user());
    }

    @Test
    void yamlWordsLikeOnAndOffStayStrings() throws IOException {
        Policy o = PolicyFiles.load(write("w.yaml", "landlock: required\nenv: {A: on, B: no, C: \"true\"}\n")).values();

        assertEquals(LandlockMode.REQUIRED, o.landlock());
        assertEquals(Map.of("A", "on", "B", "no", "C", "true"), o.env());
    }

    @Test
    void sizesMayBeBareNumbersOfBytes() throws IOException {
        Policy o = PolicyFiles.load(write("s.yaml", "tmp-size: 2097152\nrlimits: {fsize: 1G, as: 4096}\n")).values();

        assertEquals(2L << 20, o.tmpSize());
        assertEquals(Map.of(Rlimit.FSIZE, RlimitValue.of(1L << 30), Rlimit.AS, RlimitValue.of(4096)), o.rlimits());
    }

    @Test
    void messagesNameTheFileAsGiven() throws IOException {
        Path file = write("dir/bad.yaml", "app: hello\nhostname: \"a b\"\n");

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(file));

        assertEquals(file + ":2:11: hostname: \"a b\" is not a valid host name; use 1 to 64 characters of A-Z, a-z,"
                + " 0-9, '.' and '-'", e.getMessage());
        assertEquals(file.toString(), e.source());
        assertEquals("hostname", e.field());
        assertEquals(2, e.line());
        assertEquals(11, e.column());
    }

    @Test
    void anUnknownKeyAfterEveryKnownOneIsNamedWithItsSection() throws IOException {
        // Databind reports it at once here (the record has all its keys), not after the mapping.
        Path file = write("late.json", "{\"cgroup\": {\"mode\": \"off\", \"root\": \"/x\", \"extra\": {\"a\": 1}}}");

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.load(file));

        assertEquals("late.json:1:42: unknown key \"cgroup.extra\"; known keys in cgroup: mode, root", e.getMessage());
    }

    @Test
    void missingFile() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyLoader.load(Path.of("/nonexistent/sandbox-run/sandbox.yaml")));

        assertEquals("/nonexistent/sandbox-run/sandbox.yaml: cannot read: no such file", e.getMessage());
    }

    @Test
    void directoryInsteadOfFile() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("policy.yaml"));

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir, "policy.yaml"));

        assertEquals("policy.yaml: cannot read: is a directory", e.getMessage());
    }

    @Test
    void oversizedFile() throws IOException {
        Path file = write("big.yaml", "# " + "x".repeat(PolicyLoader.MAX_BYTES) + "\n");

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.load(file));

        assertEquals("big.yaml: larger than 1M; a policy file holds a few settings", e.getMessage());
    }

    @Test
    void nulInAStringIsRefused() throws IOException {
        Path file = write("nul.json", "{\"command\": [\"python3\", \"a\\u0000b\"]}");

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.load(file));

        assertEquals("nul.json:1:25: command[1]: \"a\\u0000b\" contains a NUL character", e.getMessage());
    }


    @Test
    void bytesThatAreNotUtf8AreNamedWithTheirPlace() throws IOException {
        // Valid multi-byte characters before the bad byte count as one column each.
        Path yaml = tmp.resolve("latin1.yaml");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.writeBytes("command: [x]\n# \u00e9t\u00e9, na".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes.write(0xef);   // Latin-1 'i' with diaeresis
        bytes.writeBytes("ve\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(yaml, bytes.toByteArray());

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyFiles.load(yaml));

        assertEquals("latin1.yaml:2:10: not UTF-8: invalid byte 0xef at byte offset 24; save the file as UTF-8",
                e.getMessage());
        assertEquals(2, e.line());

        PolicyException utf16 = assertThrows(PolicyException.class, () -> PolicyLoader.parseJson(
                "{\"app\": \"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16), "body", tmp));
        assertEquals("body:1:1: not UTF-8: invalid byte 0xfe at byte offset 0; save the file as UTF-8",
                utf16.getMessage());
    }
    /** A literal address (never looked up). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String name, String content) throws IOException {
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
