package io.sandboxrun.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.policy.CgroupPolicy;
import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.policy.PolicyException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The cgroup and network options as far as a resolved policy: nothing here launches a sandbox. */
class RunCommandTest {
    private static final long M = 1L << 20;

    @TempDir Path tmp;

    @Test
    void withoutOptionsTheDefaultsHold() {
        Policy p = resolve("--", "true");

        Policy defaults = PolicyDefaults.embedded(Path.of(""));
        assertEquals(defaults.cgroup(), p.cgroup());
        assertEquals(defaults.limits(), p.limits());
        assertEquals(defaults.instanceLimits(), p.instanceLimits());
        assertEquals(defaults.network(), p.network());
    }

    @Test
    void optionsSetTheAppLimits() {
        Policy p = resolve("--cgroup", "required", "--cgroup-root", "/sandbox-run", "--memory", "256M",
                "--memory-high", "200M", "--cpus", "0.5", "--cpu-weight", "50", "--pids", "max",
                "--io-max", "8:0:wbps=10M,riops=100", "--io-max", "8:16:rbps=max", "--", "true");

        assertEquals(new CgroupPolicy(CgroupPolicy.Mode.REQUIRED, "/sandbox-run"), p.cgroup());
        assertEquals(new Limits(256 * M, 200 * M, 500, 50, Limits.UNLIMITED, List.of(
                new IoLimit("8:0", null, 10 * M, 100L, null), new IoLimit("8:16", Limits.UNLIMITED, null, null, null))),
                p.limits());
        assertEquals(Limits.none(), p.instanceLimits());
    }

    @Test
    void optionsOverrideThePolicyFileFieldByField() throws IOException {
        Path file = Files.writeString(tmp.resolve("sandbox.yaml"), String.join("\n",
                "command: [\"true\"]",
                "cgroup: {mode: off}",
                "limits:",
                "  memory: 512M",
                "  pids: 100",
                "  io: [{device: \"8:0\", rbps: 1M}]",
                "instance-limits: {memory: 128M}",
                ""));

        Policy p = resolve("--policy", file.toString(), "--pids", "200", "--io-max", "8:16:wiops=5");

        assertEquals(new CgroupPolicy(CgroupPolicy.Mode.OFF, null), p.cgroup());
        assertEquals(new Limits(512 * M, null, 1000, null, 200L, List.of(new IoLimit("8:16", null, null, null, 5L))),
                p.limits());
        assertEquals(Limits.none().withMemory(128 * M), p.instanceLimits());
    }

    @Test
    void optionsSetTheNetworkPolicy() {
        Policy p = resolve("--allow", "tcp:10.0.0.0/8:443", "--allow", "tcp:[2001:db8::]/32:8000-8100",
                "--allow", "host:*.Example.com", "--dns-upstream", "192.0.2.53", "--dns-upstream", "[2001:db8::53]:5353",
                "--dns-any-name", "--net-rate", "5", "--net-burst", "2", "--net-over-limit", "delay",
                "--net-concurrent", "65536", "--bandwidth-in", "unlimited", "--bandwidth-out", "512K",
                "--audit-log", "logs/audit.jsonl", "--", "true");

        assertEquals(new NetworkPolicy(NetworkPolicy.Outbound.PROXY,
                List.of(new NetRule.Tcp(ip("10.0.0.0"), 8, 443, 443), new NetRule.Tcp(ip("2001:db8::"), 32, 8000, 8100),
                        new NetRule.Host("*.example.com", 1, 65535)),
                new NetworkPolicy.Dns(List.of(new InetSocketAddress(ip("192.0.2.53"), 53),
                        new InetSocketAddress(ip("2001:db8::53"), 5353)), true),
                new NetworkPolicy.Rates(5, 2, NetworkPolicy.OverLimit.DELAY, 65536, 0L, 512L << 10),
                Path.of("").toAbsolutePath().resolve("logs/audit.jsonl")), p.network());
    }

    @Test
    void networkOptionsOverrideThePolicyFileFieldByFieldAndListsWhole() throws IOException {
        Path file = Files.writeString(tmp.resolve("sandbox.yaml"), String.join("\n",
                "command: [\"true\"]",
                "network:",
                "  allow: [tcp:10.0.0.0/8:443, host:api.example.com:443]",
                "  dns: {upstream: [192.0.2.53], any-name: true}",
                "  rates: {connections-per-second: 5, burst: 10, bandwidth-out: 1M}",
                "  audit-log: audit.jsonl",
                ""));

        Policy p = resolve("--policy", file.toString(), "--allow", "tcp:192.0.2.0/24", "--net-burst", "50",
                "--bandwidth-in", "2M");

        assertEquals(new NetworkPolicy(NetworkPolicy.Outbound.PROXY, List.of(new NetRule.Tcp(ip("192.0.2.0"), 24, 1, 65535)),
                new NetworkPolicy.Dns(List.of(new InetSocketAddress(ip("192.0.2.53"), 53)), true),
                new NetworkPolicy.Rates(5, 50, NetworkPolicy.OverLimit.REFUSE, 256, 2L << 20, 1L << 20),
                tmp.resolve("audit.jsonl")), p.network());
    }

    @Test
    void aRuleTheFileAlreadyHasIsNotADuplicate() throws IOException {
        // --allow replaces the file's list, so giving one of its rules again is no error.
        Path file = Files.writeString(tmp.resolve("a.yaml"), "command: [\"true\"]\nnetwork: {allow: [tcp:10.0.0.0/8]}\n");

        Policy p = resolve("--policy", file.toString(), "--allow", "tcp:10.0.0.0/8");

        assertEquals(List.of(new NetRule.Tcp(ip("10.0.0.0"), 8, 1, 65535)), p.network().allow());
    }

    @Test
    void shmSizeComesFromTheDefaultTheFileOrTheOption() throws IOException {
        Path file = Files.writeString(tmp.resolve("shm.yaml"), "command: [\"true\"]\nshm-size: 16M\n");

        assertEquals(64 * M, resolve("--", "true").shmSize());
        assertEquals(16 * M, resolve("--policy", file.toString()).shmSize());
        assertEquals(1024 * M, resolve("--policy", file.toString(), "--shm-size", "1G").shmSize());
        usage("sandbox-run: --shm-size: \"512K\" is out of range; use 1M to 64G", "--shm-size", "512K");
    }

    @Test
    void memoryHighAboveTheFilesMemoryNamesBoth() throws IOException {
        Path file = Files.writeString(tmp.resolve("m.yaml"), "command: [\"true\"]\nlimits:\n  memory: 256M\n");

        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("--policy", file.toString(), "--memory-high", "1G"));

        assertEquals("--memory-high: 1G is above memory 256M (" + file + ":3:11 limits.memory); memory-high must not"
                + " exceed memory: use at most 256M, or raise memory", e.getMessage());
    }

    @Test
    void badValuesExitWith2NamingTheOptionAndWhatIsAllowed() {
        usage("sandbox-run: --memory: \"12Q\" is not a size; use a number with K, M or G (e.g. 256M), or max",
                "--memory", "12Q");
        usage("sandbox-run: --memory-high: \"512K\" is out of range; use 1M to 1024G, or max", "--memory-high", "512K");
        usage("sandbox-run: --cpus: \"0.0001\" has more than 3 decimals; use 0.01 to 1024 in steps of 0.001 (e.g. 0.5),"
                + " or max", "--cpus", "0.0001");
        usage("sandbox-run: --cpu-weight: \"0\" is out of range; use 1 to 10000 (100 is the kernel's default)",
                "--cpu-weight", "0");
        usage("sandbox-run: --pids: \"-1\" is not a whole number; use 1 to 4194304, or max", "--pids", "-1");
        usage("sandbox-run: --cgroup: \"on\" is not a cgroup mode; use off, best-effort or required", "--cgroup", "on");
        usage("sandbox-run: --cgroup-root: \"/a//b\" has an empty component; use an absolute cgroup path such as"
                + " /sandbox-run, without empty, '.' or '..' components", "--cgroup-root", "/a//b");
        usage("sandbox-run: --io-max: \"8:0\" is not an io limit; use DEV:KEY=VALUE[,KEY=VALUE] with DEV MAJOR:MINOR"
                + " or a /dev path and KEY rbps, wbps, riops or wiops (e.g. 8:0:wbps=10M,riops=100)", "--io-max", "8:0");
        usage("sandbox-run: --io-max: \"/dev/null\" is not a block device; use MAJOR:MINOR (e.g. 8:0) or the path of"
                + " a block device (e.g. /dev/sda)", "--io-max", "/dev/null:rbps=1M");
        usage("sandbox-run: --io-max: device 8:0 is already limited (--io-max); give each device once, with all its"
                + " keys", "--io-max", "8:0:rbps=1M", "--io-max", "8:0:wbps=1M");
        usage("sandbox-run: --memory-high: 2G is above memory 1G (--memory); memory-high must not exceed memory: use"
                + " at most 1G, or raise memory", "--memory", "1G", "--memory-high", "2G");
    }

    @Test
    void badNetworkValuesExitWith2NamingTheOptionAndWhatIsAllowed() {
        usage("sandbox-run: --allow: \"udp:192.0.2.53:53\" is not an allow rule; use tcp:CIDR[:PORT|:LOW-HIGH] or"
                + " host:NAME[:PORT|:LOW-HIGH] (e.g. tcp:10.0.0.0/8:443, host:api.example.com:443)",
                "--allow", "udp:192.0.2.53:53");
        usage("sandbox-run: --allow: \"tcp:10.0.0.1/8:443\" has bits set beyond the /8 prefix; use its network"
                + " address: tcp:10.0.0.0/8:443", "--allow", "tcp:10.0.0.1/8:443");
        usage("sandbox-run: --allow: \"tcp:[::ffff:10.0.0.1]\": ::ffff:10.0.0.1 is an IPv4-mapped address; write the"
                + " IPv4 form: tcp:10.0.0.1", "--allow", "tcp:[::ffff:10.0.0.1]");
        usage("sandbox-run: --allow: \"host:10.0.0.1\": 10.0.0.1 is an IP address, not a name; addresses need a tcp"
                + " rule (e.g. tcp:10.0.0.1)", "--allow", "host:10.0.0.1");
        usage("sandbox-run: --allow: \"host:localhost:80\": \"localhost\" is a single label; use a full name such as"
                + " api.example.com", "--allow", "host:localhost:80");
        usage("sandbox-run: --allow: \"tcp:10.0.0.0/8:443\" is already allowed (--allow); give each rule once",
                "--allow", "tcp:10.0.0.0/8:443", "--allow", "tcp:10.0.0.0/8:443");
        usage("sandbox-run: --dns-upstream: \"dns.example.com\": \"dns.example.com\" is not an IP address; use IP[:PORT]"
                + " with an IPv4 address, or [IPv6][:PORT] (e.g. 192.0.2.53, [2001:db8::53]:5353); the port defaults to"
                + " 53", "--dns-upstream", "dns.example.com");
        usage("sandbox-run: --net-rate: \"0\" is out of range; use 1 to 100000", "--net-rate", "0");
        usage("sandbox-run: --net-burst: \"lots\" is not a whole number; use 1 to 100000", "--net-burst", "lots");
        usage("sandbox-run: --net-over-limit: \"drop\" is not an over-limit action; use refuse or delay",
                "--net-over-limit", "drop");
        usage("sandbox-run: --net-concurrent: \"100000\" is out of range; use 1 to 65536", "--net-concurrent", "100000");
        usage("sandbox-run: --bandwidth-in: \"10Mbit\" is not a size; use bytes per second with K, M or G (e.g. 10M),"
                + " or unlimited (or 0)", "--bandwidth-in", "10Mbit");
        usage("sandbox-run: --bandwidth-out: \"max\" is not a size; use bytes per second with K, M or G (e.g. 10M),"
                + " or unlimited (or 0)", "--bandwidth-out", "max");
        usage("sandbox-run: --audit-log: \"/tmp/\" ends with '/'; give a file (e.g. /var/log/sandbox-run/audit.jsonl)",
                "--audit-log", "/tmp/");
        usage("sandbox-run: --audit-log: \"/.\" is a directory; give a file (e.g. /var/log/sandbox-run/audit.jsonl)",
                "--audit-log", "/.");
    }

    @Test
    void helpListsTheOptionsWithTheirDefaults() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));

        assertEquals(0, cl.execute("--help"));

        String help = out.toString().replaceAll("\\s+", " ");
        for (String s : List.of("--memory=SIZE", "--memory-high=SIZE", "--cpus=N", "--cpu-weight=N", "--pids=N",
                "--io-max=DEV:KEY=V[,KEY=V]", "--cgroup=MODE", "--cgroup-root=PATH", "(default: 128)", "(default: 256M)", "(default: 1)", "(default: 10s)", "--time-limit=DURATION",
                "(default: best-effort)", "--allow=RULE", "--dns-upstream=ADDR", "--dns-any-name", "--net-rate=N",
                "--net-burst=N", "--net-over-limit=ACTION", "--net-concurrent=N", "--bandwidth-in=RATE",
                "--bandwidth-out=RATE", "--audit-log=FILE", "(default: 20)", "(default: 40)", "(default: refuse)",
                "(default: 256)", "(default: 10M)", "(default: none; default deny: every connection is refused)",
                "169.254.169.254", "private ranges are refused even under a wildcard", "(default: none)")) {
            assertTrue(help.contains(s), "no " + s + " in --help:\n" + out);
        }
    }

    /** The policy these arguments resolve to, as {@code call()} would launch it. */
    private static Policy resolve(String... args) {
        CommandLine cl = Main.commandLine();
        cl.parseArgs(args);
        return ((RunCommand) cl.getCommand()).resolvePolicy();
    }

    /** A literal address (never looked up). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the command with {@code args} (and a command, so only the option can be wrong). */
    private static void usage(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        String[] withCommand = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--", "true")).toArray(String[]::new);

        int code = cl.execute(withCommand);

        assertEquals(ExitCodes.USAGE, code, err.toString());
        assertEquals(message, err.toString().strip());
    }
}
