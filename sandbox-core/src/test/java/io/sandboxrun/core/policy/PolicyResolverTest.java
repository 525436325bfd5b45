package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging defaults, a policy file and the command line, and the checks on the result. */
class PolicyResolverTest {
    @TempDir Path tmp;
    private Path cwd;

    @BeforeEach
    void makeCwd() throws IOException {
        cwd = Files.createDirectory(tmp.resolve("cwd"));
    }

    @Test
    void defaultsWithACommandResolve() {
        Policy p = PolicyResolver.resolve(defaults(), List.of(cli().set("command", List.of("true"), opt("--")).build()));

        // Each default's value is pinned by docs/policy.md (PolicyReferenceTest). Compared as a whole
        // here, not through the record's constructor, so that a new setting does not rewrite this test.
        assertEquals(PolicyDefaults.embedded(real(cwd)).withCommand(List.of("true")), p);
        assertEquals(real(cwd), p.appRoot());
    }

    @Test
    void defaultsAloneLackACommand() {
        fails("no command: give one after -- or set command: in the policy", List.of());
    }

    @Test
    void laterSourcesOverrideFieldByField() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("sandbox.yaml", String.join("\n",
                "app: from-file",
                "hostname: file-host",
                "tmp-size: 128M",
                "command: [python3, serve.py]",
                "env: {A: file, B: file}",
                "listen: [127.0.0.1:8080, 127.0.0.1:8081]",
                "rlimits: {nofile: 4096, nproc: 64}",
                "user: {uid: 2000, id-count: 5000}",
                "")), "sandbox.yaml");
        PolicyLayer cli = cli()
                .set("app", PolicyValues.appName("--app", "from-cli"), opt("--app"))
                .add("env", Map.entry("B", "cli"), opt("--env"))
                .add("env", Map.entry("C", "cli"), opt("--env"))
                .set("listen", List.of(PolicyValues.listen("--listen", "unix:/run/a.sock")), opt("--listen"))
                .add("rlimits", Map.entry(Rlimit.NOFILE, RlimitValue.of(256)), opt("--rlimit"))
                .set("user.gid", 3000, opt("--gid"))
                .build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(file, cli));

        assertEquals("from-cli", p.app());
        assertEquals("file-host", p.hostname());
        assertEquals(128L << 20, p.tmpSize());
        assertEquals(List.of("python3", "serve.py"), p.command());
        assertEquals(Map.of("A", "file", "B", "cli", "C", "cli"), p.env());
        assertEquals(List.of(new ListenAddress.Unix(Path.of("/run/a.sock"))), p.listen());
        assertEquals(Map.of(Rlimit.NOFILE, RlimitValue.of(256), Rlimit.NPROC, RlimitValue.of(64),
                Rlimit.CORE, RlimitValue.of(0)), p.rlimits());
        assertEquals(new Policy.Identity(2000, 3000, 200000L, 5000), p.user());
        assertEquals("/usr/local/bin:/usr/bin:/bin", p.path());
    }

    @Test
    void anEmptyListReplacesTheEarlierOne() {
        PolicyLayer first = cli().set("listen", List.of(new ListenAddress.Tcp("127.0.0.1", 80)), opt("--listen"))
                .set("command", List.of("a", "b"), opt("--")).build();
        PolicyLayer second = PolicyLayer.builder("second").set("listen", List.of(), opt("--listen"))
                .set("command", List.of("c"), opt("--")).build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(first, second));

        assertEquals(List.of(), p.listen());
        assertEquals(List.of("c"), p.command());
    }

    @Test
    void anExplicitFsizeIsKept() {
        PolicyLayer o = withCommand().add("rlimits", Map.entry(Rlimit.FSIZE, RlimitValue.of(RlimitValue.UNLIMITED)), opt("--rlimit"))
                .set("tmp-size", 1L << 30, opt("--tmp-size")).build();

        assertEquals(RlimitValue.of(RlimitValue.UNLIMITED),
                PolicyResolver.resolve(defaults(), List.of(o)).rlimits().get(Rlimit.FSIZE));
    }

    @Test
    void appRootBecomesItsRealPath() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("code"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        PolicyLayer o = withCommand().set("app-root", PolicyValues.hostPath("--app-root", "../link", cwd), opt("--app-root"))
                .build();

        assertEquals(real(target), PolicyResolver.resolve(defaults(), List.of(o)).appRoot());
        assertEquals(link, PolicyValues.hostPath("--app-root", "../link", cwd));
    }

    @Test
    void appRootErrorsNameTheSourceThatSetIt() throws IOException {
        Path file = write("p.yaml", "command: [x]\napp-root: /nonexistent/a\n");
        fails("p.yaml:2:11: app-root: \"/nonexistent/a\" does not exist", List.of(PolicyLoader.load(file, "p.yaml")));

        fails("--app-root: \"/nonexistent/b\" does not exist", List.of(
                withCommand().set("app-root", Path.of("/nonexistent/b"), opt("--app-root")).build()));

        Policy unset = PolicyLayer.empty("command line").values();
        PolicyLayer bare = new PolicyLayer("command line",
                unset.withCommand(List.of("x")).withAppRoot(Path.of("/nonexistent/c")), Map.of());
        fails("command line: app-root: \"/nonexistent/c\" does not exist", List.of(bare));

        Path file2 = Files.writeString(tmp.resolve("plain-file"), "");
        fails("--app-root: \"" + file2 + "\" is not a directory", List.of(
                withCommand().set("app-root", file2, opt("--app-root")).build()));
    }

    @Test
    void aMissingDefaultAppRootNamesTheDefaults() {
        Policy defaults = PolicyDefaults.embedded(Path.of("/nonexistent/cwd"));

        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyResolver.resolve(defaults, List.of(withCommand().build())));

        assertEquals("defaults: app-root: \"/nonexistent/cwd\" does not exist", e.getMessage());
    }

    @Test
    void roBindsMustExist() {
        PolicyLayer o = withCommand().add("ro-binds", Path.of("/"), opt("--ro-bind"))
                .add("ro-binds", Path.of("/nonexistent/ro"), opt("--ro-bind")).build();

        fails("--ro-bind: \"/nonexistent/ro\" does not exist", List.of(o));
    }

    @Test
    void uidMustBeBelowIdCountWhereverEachWasSet() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("u.yaml", "command: [x]\nuser:\n  uid: 5000\n"), "u.yaml");
        PolicyLayer cli = cli().set("user.id-count", 5000, opt("--id-count")).build();

        fails("u.yaml:3:8: user.uid: 5000 is not below id-count 5000; use 1 to 4999", List.of(file, cli));
    }

    @Test
    void gidMustBeBelowIdCount() {
        fails("--gid: 70000 is not below id-count 65536; use 1 to 65535",
                List.of(withCommand().set("user.gid", 70000, opt("--gid")).build()));
    }

    @Test
    void theHostIdRangeMustStayBelowTheLargestId() {
        PolicyLayer base = PolicyLayer.builder("base.yaml")
                .set("user.host-id-base", 4294967000L, new PolicyOrigin("base.yaml", 3, 17, "user.host-id-base")).build();
        fails("base.yaml:3:17: user.host-id-base: 4294967000 with id-count 65536 maps past host id 4294967294;"
                + " use at most 4294901759", List.of(withCommand().build(), base));

        Policy highBase = PolicySchema.policy().leaf("user.host-id-base").with(defaults(), 4_000_000_000L);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyResolver.resolve(highBase,
                List.of(withCommand().set("user.id-count", 300_000_000, opt("--id-count")).build())));
        assertEquals("--id-count: 300000000 with host-id-base 4000000000 maps past host id 4294967294;"
                + " use at most 294967295", e.getMessage());
    }

    @Test
    void theResolverRechecksIdsTheCommandLineMayNotHaveChecked() {
        fails("--host-id-base: 0 is too low; use 1000 or more, so that no app id maps to host root or a system user",
                List.of(withCommand().set("user.host-id-base", 0L, opt("--host-id-base")).build()));
        fails("--uid: 0 is root inside the sandbox; use 1 or more (below id-count)",
                List.of(withCommand().set("user.uid", 0, opt("--uid")).build()));
        fails("--tmp-size: 1K is out of range; use 1M to 64G", List.of(withCommand().set("tmp-size", 1024L, opt("--tmp-size")).build()));
    }

    @Test
    void limitsMergeFieldByFieldAndIoListsWhole() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("l.yaml", String.join("\n",
                "command: [x]",
                "cgroup: {mode: required, root: /from-file}",
                "limits:",
                "  memory: 256M",
                "  cpus: 0.5",
                "  io: [{device: \"8:0\", rbps: 1M}, {device: \"8:16\", wbps: 2M}]",
                "instance-limits: {memory: 64M}",
                "")), "l.yaml");
        PolicyLayer cli = cli()
                .set("cgroup.mode", CgroupPolicy.Mode.OFF, opt("--cgroup"))
                .set("limits.cpus", (2000), opt("--cpus"))
                .set("limits.io", List.of(), opt("--io-max"))
                .add("limits.io", new IoLimit("8:32", null, null, 5L, null), opt("--io-max"))
                .build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(file, cli));

        assertEquals(new CgroupPolicy(CgroupPolicy.Mode.OFF, "/from-file"), p.cgroup());
        assertEquals(new Limits(256L << 20, null, 2000, null, 128L, List.of(new IoLimit("8:32", null, null, 5L, null))),
                p.limits());
        assertEquals(Limits.none().withMemory(64L << 20), p.instanceLimits());
    }

    @Test
    void maxLiftsTheDefaultPidsLimit() {
        Policy p = PolicyResolver.resolve(defaults(), List.of(
                withCommand().set("limits.pids", (Limits.UNLIMITED), opt("--pids")).build()));

        assertEquals(PolicyDefaults.limits().withPids(Limits.UNLIMITED), p.limits());
    }

    @Test
    void memoryHighMustNotExceedMemory() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("m.yaml", "command: [x]\nlimits:\n  memory: 256M\n  memory-high: 200M\n"),
                "m.yaml");
        PolicyLayer.Builder cli = cli();

        fails("--memory-high: 300M is above memory 256M (m.yaml:3:11 limits.memory); memory-high must not exceed"
                + " memory: use at most 256M, or raise memory",
                List.of(file, cli.set("limits.memory-high", (300L << 20),
                        opt("--memory-high")).build()));
        fails("--memory: 128M is below memory-high 200M (m.yaml:4:16 limits.memory-high); use at least 200M, or lower"
                + " memory-high", List.of(file, cli().set("limits.memory",
                        128L << 20, opt("--memory")).build()));
        fails("--memory-high: 2G is above memory 1G (--memory); memory-high must not exceed memory: use at most 1G,"
                + " or raise memory", List.of(withCommand()
                        .set("limits.memory", (1L << 30), opt("--memory"))
                        .set("limits.memory-high", (2L << 30), opt("--memory-high"))
                        .build()));
    }

    @Test
    void memoryHighIsCheckedInInstanceLimitsToo() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("i.yaml",
                "command: [x]\ninstance-limits:\n  memory-high: 100M\n  memory: 64M\n"), "i.yaml");

        fails("i.yaml:3:16: instance-limits.memory-high: 100M is above memory 64M (i.yaml:4:11 instance-limits.memory);"
                + " memory-high must not exceed memory: use at most 64M, or raise memory", List.of(file));
    }

    @Test
    void memoryHighAboveAnUnlimitedMemoryAndInstanceLimitsAboveTheAppsAreAllowed() {
        PolicyLayer o = withCommand()
                .set("limits.memory", Limits.UNLIMITED, opt("--memory"))
                .set("limits.memory-high", 1L << 30, opt("--memory"))
                .set("instance-limits.memory", 2L << 30, opt("instance-limits"))
                .set("instance-limits.memory-high", Limits.UNLIMITED, opt("instance-limits"))
                .set("instance-limits.pids", 4096L, opt("instance-limits"))
                .build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(o));

        assertEquals(2L << 30, p.instanceLimits().memory());
        assertEquals(4096L, p.instanceLimits().pids());
    }

    @Test
    void anIoThrottleBuiltWithoutADeviceIsRefusedWhereItWasSet() {
        fails("--io-max: no device; give device: \"MAJOR:MINOR\" (e.g. \"8:0\") or the path of a block device",
                List.of(withCommand().add("limits.io", new IoLimit(null, 1L, null, null, null), opt("--io-max")).build()));
    }

    @Test
    void eachIoDeviceOnce() {
        PolicyLayer o = withCommand()
                .add("limits.io", new IoLimit("8:0", 1L, null, null, null), opt("--io-max"))
                .add("limits.io", new IoLimit("8:0", null, 1L, null, null), opt("--io-max"))
                .build();

        fails("--io-max: device 8:0 is already limited (--io-max); give each device once, with all its keys", List.of(o));
    }

    @Test
    void theResolverRechecksLimitsAnOverlayMayNotHaveChecked() {
                fails("--memory: 1K is out of range; use 1M to 1024G, or max",
                List.of(withCommand().set("limits.memory", (1024L), opt("--memory")).build()));
        fails("--cpus: 0.001 is out of range; use 0.01 to 1024 in steps of 0.001 (e.g. 0.5), or max",
                List.of(withCommand().set("limits.cpus", (1), opt("--cpus")).build()));
        fails("--pids: 0 is out of range; use 1 to 4194304, or max",
                List.of(withCommand().set("limits.pids", (0L), opt("--pids")).build()));
        fails("--io-max: no rate; give at least one of rbps, wbps, riops, wiops (e.g. wbps: 10M)",
                List.of(withCommand().add("limits.io", new IoLimit("8:0", null, null, null, null), opt("--io-max")).build()));
        fails("--cgroup-root: \"/a/../b\" has a \"..\" component; use an absolute cgroup path such as /sandbox-run,"
                + " without empty, '.' or '..' components",
                List.of(withCommand().set("cgroup.root", "/a/../b", opt("--cgroup-root")).build()));
    }

    @Test
    void networkMergesFieldByFieldAndListsWhole() throws IOException {
        PolicyLayer file = PolicyLoader.load(write("n.yaml", String.join("\n",
                "command: [x]",
                "network:",
                "  allow: [tcp:10.0.0.0/8:443, host:api.example.com:443]",
                "  dns: {upstream: [192.0.2.53], any-name: true}",
                "  rates: {connections-per-second: 5, burst: 10, over-limit: delay, bandwidth-in: unlimited}",
                "  audit-log: audit.jsonl",
                "")), "n.yaml");
        PolicyLayer cli = cli()
                .set("network.allow", List.of(), opt("--allow"))
                .add("network.allow", NetValues.rule("--allow", "host:*.example.org"), opt("--allow"))
                .set("network.rates.burst", 20, opt("--net-burst"))
                .set("network.rates.bandwidth-out", 1L << 20, opt("--bandwidth-out"))
                .build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(file, cli));

        assertEquals(new NetworkPolicy(NetworkPolicy.Outbound.PROXY, List.of(new NetRule.Host("*.example.org", 1, 65535)),
                new NetworkPolicy.Dns(List.of(new InetSocketAddress(ip("192.0.2.53"), 53)), true),
                new NetworkPolicy.Rates(5, 20, NetworkPolicy.OverLimit.DELAY, 256, 0L, 1L << 20),
                tmp.resolve("audit.jsonl")), p.network());
    }

    @Test
    void aLaterUpstreamListReplacesTheEarlierOneAndAnEmptyOneMeansTheHostsResolvers() {
        PolicyLayer first = withCommand()
                .add("network.dns.upstream", new InetSocketAddress(ip("192.0.2.53"), 53), opt("--dns-upstream"))
                .add("network.allow", NetValues.rule("--allow", "tcp:[2001:db8::]/32"), opt("--allow"))
                .build();
        PolicyLayer second = PolicyLayer.builder("second").set("network.dns.upstream", List.of(), opt("--dns-upstream")).build();

        Policy p = PolicyResolver.resolve(defaults(), List.of(first, second));

        assertEquals(new NetworkPolicy.Dns(List.of(), false), p.network().dns());
        assertEquals(List.of(new NetRule.Tcp(ip("2001:db8::"), 32, 1, 65535)), p.network().allow());
        assertEquals(defaults().network().rates(), p.network().rates());
        assertEquals(null, p.network().auditLog());
    }

    @Test
    void eachAllowRuleOnce() {
        fails("--allow: \"tcp:10.0.0.7/32\" is already allowed (--allow); give each rule once", List.of(withCommand()
                .add("network.allow", NetValues.rule("--allow", "tcp:10.0.0.7/32"), opt("--allow"))
                .add("network.allow", NetValues.rule("--allow", "tcp:10.0.0.7"), opt("--allow")).build()));
        // A rule made in code is normalised before the comparison.
        fails("--allow: \"host:api.example.com\" is already allowed (--allow); give each rule once", List.of(withCommand()
                .add("network.allow", new NetRule.Host("api.example.com", 1, 65535), opt("--allow"))
                .add("network.allow", new NetRule.Host("API.example.com", 1, 65535), opt("--allow")).build()));
    }

    @Test
    void theResolverRechecksNetworkValuesAnOverlayMayNotHaveChecked() {
        fails("--allow: \"tcp:10.0.0.1/8\" has bits set beyond the /8 prefix; use its network address: tcp:10.0.0.0/8",
                List.of(withCommand().add("network.allow", new NetRule.Tcp(ip("10.0.0.1"), 8, 1, 65535), opt("--allow")).build()));
        fails("--allow: \"tcp:10.0.0.0/40\": prefix 40 is out of range; use 0 to 32 for an IPv4 address",
                List.of(withCommand().add("network.allow", new NetRule.Tcp(ip("10.0.0.0"), 40, 1, 65535), opt("--allow")).build()));
        fails("--allow: \"host:example.com:0-80\": port 0 is out of range; use a port from 1 to 65535, or a range"
                + " LOW-HIGH (e.g. 443, 8000-8100)",
                List.of(withCommand().add("network.allow", new NetRule.Host("example.com", 0, 80), opt("--allow")).build()));
        fails("--dns-upstream: \"192.0.2.53:0\": port 0 is out of range; use 1 to 65535 (53 when left out)",
                List.of(withCommand().add("network.dns.upstream", new InetSocketAddress(ip("192.0.2.53"), 0), opt("--dns-upstream"))
                        .build()));
        fails("--dns-upstream: \"dns.example.com:53\": \"dns.example.com\" is not an IP address; use IP[:PORT] with an"
                + " IPv4 address, or [IPv6][:PORT] (e.g. 192.0.2.53, [2001:db8::53]:5353); the port defaults to 53",
                List.of(withCommand().add("network.dns.upstream", InetSocketAddress.createUnresolved("dns.example.com", 53),
                        opt("--dns-upstream")).build()));
        fails("--net-burst: 0 is out of range; use 1 to 100000", List.of(withCommand().set("network.rates.burst", 0, opt("--net-burst")).build()));
        fails("--net-rate: 100001 is out of range; use 1 to 100000",
                List.of(withCommand().set("network.rates.connections-per-second", 100001, opt("--net-rate")).build()));
        fails("--net-concurrent: 0 is out of range; use 1 to 65536",
                List.of(withCommand().set("network.rates.concurrent", 0, opt("--net-concurrent")).build()));
        fails("--bandwidth-in: -1 is not a size; use bytes per second with K, M or G (e.g. 10M), or unlimited (or 0)",
                List.of(withCommand().set("network.rates.bandwidth-in", -1L, opt("--bandwidth-in")).build()));
        fails("--audit-log: \"audit.jsonl\" is not an absolute path; give a file (e.g. /var/log/sandbox-run/audit.jsonl)",
                List.of(withCommand().set("network.audit-log", Path.of("audit.jsonl"), opt("--audit-log")).build()));
    }

    @Test
    void oneArgumentOrVariableLongerThanTheKernelTakesIsRefusedWhereItIsSet() throws IOException {
        String fits = "x".repeat(ExecArgs.MAX_STRING - "BIG=".length() - 1);
        assertEquals(fits, PolicyValues.envEntry("--env", "BIG=" + fits).getValue());
        fails("--env: BIG=VALUE is 131073 bytes with its NUL; the kernel takes at most 131072 bytes (MAX_ARG_STRLEN) for"
                + " each environment string, so the value may have at most 131067, and execve would fail with E2BIG;"
                + " pass large data in a file under the app root instead",
                () -> PolicyValues.envEntry("--env", "BIG=" + fits + "x"));

        Path big = write("big.yaml", "command: [python3, app.py]\nenv:\n  BIG: \"" + "y".repeat(200 * 1024) + "\"\n");
        fails("big.yaml:3:8: env.BIG: BIG=VALUE is 204805 bytes with its NUL; the kernel takes at most 131072 bytes"
                + " (MAX_ARG_STRLEN) for each environment string, so the value may have at most 131067, and execve would"
                + " fail with E2BIG; pass large data in a file under the app root instead",
                () -> PolicyLoader.load(big, "big.yaml"));

        fails("COMMAND[1]: the word is 131073 bytes with its NUL; the kernel takes at most 131072 bytes (MAX_ARG_STRLEN)"
                + " for each argument, and execve would fail with E2BIG; pass large data in a file under the app root instead",
                () -> PolicyValues.command("COMMAND", List.of("echo", "z".repeat(ExecArgs.MAX_STRING))));
        Path words = write("words.json", "{\"command\": [\"echo\", \"" + "z".repeat(140_000) + "\"]}");
        fails("words.json:1:22: command[1]: the word is 140001 bytes with its NUL; the kernel takes at most 131072 bytes"
                + " (MAX_ARG_STRLEN) for each argument, and execve would fail with E2BIG; pass large data in a file under"
                + " the app root instead", () -> PolicyLoader.load(words, "words.json"));
    }

    @Test
    void allArgumentsAndVariablesTogetherMustFitThePlanAndExecve() throws IOException {
        // Eight variables of 120000 bytes: each fits, together they are more than the plan leaves.
        StringBuilder yaml = new StringBuilder("command: [python3, app.py]\nenv:\n");
        for (int i = 0; i < 8; i++) yaml.append("  V").append(i).append(": \"").append("v".repeat(120_000 - i)).append("\"\n");
        fails("many.yaml:3:7: env.V0: V0=VALUE is 120004 bytes, the largest; with the command's 2 words and 8 variables"
                + " the strings come to 960019 bytes (each with its NUL), more than the 917504 (896K) that fit: they reach"
                + " the sandbox in the helper's plan of at most 1M; pass large data in a file under the app root instead",
                List.of(PolicyLoader.load(write("many.yaml", yaml.toString()), "many.yaml")));

        // A small stack: execve takes a quarter of it, at least 128K.
        PolicyLayer.Builder stack = withCommand().add("env", Map.entry("DATA", "d".repeat(126_000)), opt("--env"))
                .add("env", Map.entry("MORE", "m".repeat(5_000)), opt("--env"))
                .add("rlimits", Map.entry(Rlimit.STACK, RlimitValue.of(256 * 1024)), opt("--rlimit"));
        fails("--rlimit: a stack of 262144 bytes lets execve take 131072 bytes of arguments and environment (a quarter of"
                + " the stack, at least 131072), but the command and env need about 131656 with the runtime's variables"
                + " and the pointers; raise the stack to at least 526624 or shorten them (execve would fail with E2BIG)",
                List.of(stack.build()));
        assertEquals(126_000, PolicyResolver.resolve(defaults(), List.of(withCommand()
                .add("env", Map.entry("DATA", "d".repeat(126_000)), opt("--env")).build())).env().get("DATA").length());

        PolicyLayer.Builder lots = withCommand();
        for (int i = 0; i <= ExecArgs.MAX_STRINGS; i++) lots.add("env", Map.entry("V" + i, ""), opt("--env"));
        fails("--env: 16386 strings (1 words of command, 16385 variables); at most 16384 fit in the helper's plan",
                List.of(lots.build()));
    }

    @Test
    void valuesAParserMadeAreNotParsedAgain() throws IOException {
        // The profile file was looked at when the policy file was read; the resolver does not look again.
        Path profile = write("profile.json", "{}");
        PolicyLayer file = PolicyLoader.load(write("s.yaml", "command: [x]\nseccomp: profile.json\n"), "s.yaml");
        Files.delete(profile);
        assertEquals(profile.toString(), PolicyResolver.resolve(cwd, List.of(file)).seccomp());

        // A layer marked checked is taken as its parser made it: 1K would be refused if parsed again.
        PolicyLayer parsed = withCommand().checked().set("tmp-size", 1024L, opt("--tmp-size")).build();
        assertEquals(1024L, PolicyResolver.resolve(cwd, List.of(parsed)).tmpSize());
        assertEquals(PolicyResolver.resolve(defaults(), List.of(parsed)), PolicyResolver.resolve(cwd, List.of(parsed)));
    }

    @Test
    void aMapEntryBuiltInCodeIsCheckedAfterAParsedLayerAddsToTheMap() {
        PolicyLayer code = withCommand().add("env", Map.entry("1BAD", "x"), opt("--env")).build();
        PolicyLayer parsed = cli().checked().add("env", Map.entry("GOOD", "y"), opt("--env")).build();

        fails("--env: \"1BAD\" is not a valid variable name; use letters, digits and '_', not starting with a digit",
                List.of(code, parsed));
    }

    @Test
    void defaultsNotMadeByTheEmbeddedTableAreChecked() {
        Policy odd = defaults().with("tmp-size", 1024L);

        PolicyException e = assertThrows(PolicyException.class, () -> PolicyResolver.resolve(odd, List.of(withCommand().build())));
        assertEquals("defaults: tmp-size: 1K is out of range; use 1M to 64G", e.getMessage());
    }

    @Test
    void execveLimitFollowsTheStackRlimit() {
        assertEquals(ExecArgs.ARG_MAX, ExecArgs.execLimit(64 * 1024));
        assertEquals(2L << 20, ExecArgs.execLimit(8L << 20));
        assertEquals(6L << 20, ExecArgs.execLimit(64L << 20));
        assertEquals(6L << 20, ExecArgs.execLimit(RlimitValue.UNLIMITED));
    }

    private void fails(String message, List<PolicyLayer> overlays) {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyResolver.resolve(defaults(), overlays));
        assertEquals(message, e.getMessage());
    }

    private static void fails(String message, org.junit.jupiter.api.function.Executable call) {
        PolicyException e = assertThrows(PolicyException.class, call);
        assertEquals(message, e.getMessage());
    }

    private Policy defaults() {
        return PolicyDefaults.embedded(cwd);
    }

    private static PolicyLayer.Builder cli() {
        return PolicyLayer.builder("command line");
    }

    private static PolicyLayer.Builder withCommand() {
        return cli().set("command", List.of("true"), opt("--"));
    }

    private static PolicyOrigin opt(String name) {
        return PolicyOrigin.option(name);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    /** A literal address (never looked up). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
