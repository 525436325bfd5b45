package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The network value parsers as the command line uses them: the field is the option, with no location. */
class NetValuesTest {
    private static final String TCP_HINT = "; use tcp:ADDRESS[/PREFIX][:PORT|:LOW-HIGH], IPv6 in brackets"
            + " (e.g. tcp:10.0.0.0/8:443, tcp:[2001:db8::]/32:8000-8100)";
    private static final String HOST_HINT = "; use host:NAME[:PORT|:LOW-HIGH] with a DNS name, or *.NAME for every"
            + " name below it (e.g. host:api.example.com:443, host:*.example.com)";
    private static final String PORT_HINT = "; use a port from 1 to 65535, or a range LOW-HIGH (e.g. 443, 8000-8100)";
    private static final String DNS_HINT = "; use IP[:PORT] with an IPv4 address, or [IPv6][:PORT]"
            + " (e.g. 192.0.2.53, [2001:db8::53]:5353); the port defaults to 53";

    @TempDir Path tmp;

    @Test
    void tcpRules() {
        assertEquals(tcp("10.0.0.0", 8, 443, 443), rule("tcp:10.0.0.0/8:443"));
        assertEquals(tcp("2001:db8::", 32, 8000, 8100), rule("tcp:[2001:db8::]/32:8000-8100"));
        assertEquals(tcp("203.0.113.7", 32, 1, 65535), rule("tcp:203.0.113.7"));
        assertEquals(tcp("::1", 128, 80, 80), rule("tcp:[::1]:80"));
        assertEquals(tcp("0.0.0.0", 0, 1, 65535), rule("tcp:0.0.0.0/0"));
        assertEquals(tcp("::", 0, 443, 443), rule("tcp:[::]/0:443"));
        assertEquals(tcp("2001:db8::", 32, 1, 65535), rule("tcp:[2001:DB8:0:0::]/32"));
        assertEquals(tcp("10.1.2.0", 24, 1, 1024), rule("tcp:10.1.2.0/24:1-1024"));
        assertEquals(tcp("192.0.2.1", 32, 65535, 65535), rule("tcp:192.0.2.1/32:65535"));
        // IPv4-compatible (not mapped) addresses are IPv6 addresses.
        assertEquals(tcp("::a00:1", 128, 1, 65535), rule("tcp:[::10.0.0.1]"));
    }

    @Test
    void rulesReadBackAsTheirCanonicalText() {
        assertEquals("tcp:10.0.0.0/8:443", rule("tcp:10.0.0.0/8:443").text());
        assertEquals("tcp:[2001:db8::]/32:8000-8100", rule("tcp:[2001:db8::]/32:8000-8100").text());
        assertEquals("tcp:203.0.113.7/32", rule("tcp:203.0.113.7").text());
        assertEquals("tcp:[::1]/128:80", rule("tcp:[::1]:80").text());
        assertEquals("tcp:[2001:db8::1:0:0:1]/128", rule("tcp:[2001:0db8:0000:0000:0001:0000:0000:0001]").text());
        assertEquals("host:api.example.com:443", rule("host:API.Example.com:443").text());
        assertEquals("host:*.example.com:8000-8100", rule("host:*.example.com:8000-8100").text());
    }

    @Test
    void tcpRuleErrors() {
        fails("--allow: \"tcp:10.0.0.1/8:443\" has bits set beyond the /8 prefix; use its network address:"
                + " tcp:10.0.0.0/8:443", "tcp:10.0.0.1/8:443");
        fails("--allow: \"tcp:10.1.2.3/20\" has bits set beyond the /20 prefix; use its network address:"
                + " tcp:10.1.0.0/20", "tcp:10.1.2.3/20");
        fails("--allow: \"tcp:[2001:db8::1]/32\" has bits set beyond the /32 prefix; use its network address:"
                + " tcp:[2001:db8::]/32", "tcp:[2001:db8::1]/32");
        fails("--allow: \"tcp:[::ffff:10.0.0.1]:80\": ::ffff:10.0.0.1 is an IPv4-mapped address; write the IPv4"
                + " form: tcp:10.0.0.1:80", "tcp:[::ffff:10.0.0.1]:80");
        fails("--allow: \"tcp:[::ffff:10.0.0.0]/104\": ::ffff:10.0.0.0 is an IPv4-mapped address; write the IPv4"
                + " form: tcp:10.0.0.0/8", "tcp:[::ffff:10.0.0.0]/104");
        fails("--allow: \"tcp:[::ffff:0:0]/64\": ::ffff:0:0 is an IPv4-mapped address; write IPv4 ranges in the"
                + " IPv4 form, with the prefix less 96 (e.g. tcp:10.0.0.0/8 for [::ffff:10.0.0.0]/104)",
                "tcp:[::ffff:0:0]/64");
        fails("--allow: \"tcp:10.0.0.0/33\": prefix 33 is out of range; use 0 to 32 for an IPv4 address",
                "tcp:10.0.0.0/33");
        fails("--allow: \"tcp:[::]/129\": prefix 129 is out of range; use 0 to 128 for an IPv6 address", "tcp:[::]/129");
        fails("--allow: \"tcp:10.0.0.0/\": prefix \"\" is not a number; use 0 to 32 for an IPv4 address", "tcp:10.0.0.0/");
        fails("--allow: \"tcp:10.0.0.0/-8\": prefix \"-8\" is not a number; use 0 to 32 for an IPv4 address",
                "tcp:10.0.0.0/-8");
        fails("--allow: \"tcp:10.0.0.256\": \"10.0.0.256\" is not an IPv4 address" + TCP_HINT, "tcp:10.0.0.256");
        fails("--allow: \"tcp:010.0.0.1\": \"010.0.0.1\" is not an IPv4 address" + TCP_HINT, "tcp:010.0.0.1");
        fails("--allow: \"tcp:10.1\": \"10.1\" is not an IPv4 address" + TCP_HINT, "tcp:10.1");
        fails("--allow: \"tcp:\": \"\" is not an IPv4 address" + TCP_HINT, "tcp:");
        fails("--allow: \"tcp:[2001:db8::g]\": \"2001:db8::g\" is not an IPv6 address" + TCP_HINT, "tcp:[2001:db8::g]");
        fails("--allow: \"tcp:[fe80::1%eth0]\": \"fe80::1%eth0\" is not an IPv6 address" + TCP_HINT, "tcp:[fe80::1%eth0]");
        fails("--allow: \"tcp:[10.0.0.1]\": \"10.0.0.1\" is not an IPv6 address" + TCP_HINT, "tcp:[10.0.0.1]");
        fails("--allow: \"tcp:[2001:db8::\" has no closing ']'" + TCP_HINT, "tcp:[2001:db8::");
        fails("--allow: \"tcp:[::1]80\" is not a tcp rule" + TCP_HINT, "tcp:[::1]80");
        fails("--allow: \"tcp:2001:db8::/32\": put an IPv6 address in brackets, e.g. tcp:[2001:db8::]/32",
                "tcp:2001:db8::/32");
        fails("--allow: \"tcp:api.example.com:443\": \"api.example.com\" is not an IP address; a name needs a host"
                + " rule (e.g. host:api.example.com:443)", "tcp:api.example.com:443");
    }

    @Test
    void ports() {
        fails("--allow: \"tcp:10.0.0.0/8:0\": port 0 is out of range" + PORT_HINT, "tcp:10.0.0.0/8:0");
        fails("--allow: \"tcp:10.0.0.0/8:65536\": port 65536 is out of range" + PORT_HINT, "tcp:10.0.0.0/8:65536");
        fails("--allow: \"tcp:10.0.0.0/8:\": port \"\" is not a number" + PORT_HINT, "tcp:10.0.0.0/8:");
        fails("--allow: \"tcp:10.0.0.0/8:https\": port \"https\" is not a number" + PORT_HINT, "tcp:10.0.0.0/8:https");
        fails("--allow: \"tcp:10.0.0.0/8:80-\": port \"\" is not a number" + PORT_HINT, "tcp:10.0.0.0/8:80-");
        fails("--allow: \"tcp:10.0.0.0/8:1-2-3\": port \"2-3\" is not a number" + PORT_HINT, "tcp:10.0.0.0/8:1-2-3");
        fails("--allow: \"tcp:10.0.0.1:80:90\": port \"80:90\" is not a number" + PORT_HINT, "tcp:10.0.0.1:80:90");
        fails("--allow: \"host:example.com:8100-8000\": port range 8100-8000 runs backwards; write the lower port"
                + " first (8000-8100)", "host:example.com:8100-8000");
        assertEquals(new NetRule.Host("example.com", 8000, 8000), rule("host:example.com:8000-8000"));
    }

    @Test
    void hostRules() {
        assertEquals(new NetRule.Host("api.example.com", 443, 443), rule("host:api.example.com:443"));
        assertEquals(new NetRule.Host("*.example.com", 1, 65535), rule("host:*.example.com"));
        assertEquals(new NetRule.Host("api.example.com", 1, 65535), rule("host:API.EXAMPLE.COM"));
        assertEquals(new NetRule.Host("xn--bcher-kva.example", 80, 80), rule("host:xn--bcher-kva.example:80"));
        assertEquals(new NetRule.Host("a-1.b2.c", 1, 65535), rule("host:a-1.b2.c"));
        String label63 = "a".repeat(63);
        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertEquals(name253, ((NetRule.Host) rule("host:" + name253)).name());
        assertEquals("*." + name253, ((NetRule.Host) rule("host:*." + name253)).name());
    }

    @Test
    void hostRuleErrors() {
        String labelHint = "; a label has 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
                + " (an internationalised name in its xn-- form)";
        fails("--allow: \"host:10.0.0.1:443\": 10.0.0.1 is an IP address, not a name; addresses need a tcp rule"
                + " (e.g. tcp:10.0.0.1:443)", "host:10.0.0.1:443");
        fails("--allow: \"host:[::1]:80\" holds an IP address; addresses need a tcp rule, IPv6 in brackets"
                + " (e.g. tcp:[::1]:80)", "host:[::1]:80");
        fails("--allow: \"host:2001:db8::1\" holds an IP address; addresses need a tcp rule, IPv6 in brackets"
                + " (e.g. tcp:[2001:db8::1]:443)", "host:2001:db8::1");
        fails("--allow: \"host:\" has no name" + HOST_HINT, "host:");
        fails("--allow: \"host::443\" has no name" + HOST_HINT, "host::443");
        fails("--allow: \"host:localhost\": \"localhost\" is a single label; use a full name such as api.example.com",
                "host:localhost");
        fails("--allow: \"host:*.com\": \"*.com\" would match every name under a top-level domain; use a wildcard"
                + " below a domain, such as *.example.com", "host:*.com");
        fails("--allow: \"host:*\": \"*\" has a '*' that does not stand alone first" + HOST_HINT, "host:*");
        fails("--allow: \"host:a.*.example.com\": \"a.*.example.com\" has a '*' that does not stand alone first"
                + HOST_HINT, "host:a.*.example.com");
        fails("--allow: \"host:*example.com\": \"*example.com\" has a '*' that does not stand alone first" + HOST_HINT,
                "host:*example.com");
        fails("--allow: \"host:*.*.example.com\": \"*.*.example.com\" has a '*' that does not stand alone first"
                + HOST_HINT, "host:*.*.example.com");
        fails("--allow: \"host:a..example.com\": \"a..example.com\" has an empty label" + HOST_HINT, "host:a..example.com");
        fails("--allow: \"host:example.com.\": \"example.com.\" has an empty label" + HOST_HINT, "host:example.com.");
        fails("--allow: \"host:-api.example.com\": label \"-api\" is not valid" + labelHint, "host:-api.example.com");
        fails("--allow: \"host:api-.example.com\": label \"api-\" is not valid" + labelHint, "host:api-.example.com");
        fails("--allow: \"host:my_api.example.com\": label \"my_api\" is not valid" + labelHint, "host:my_api.example.com");
        fails("--allow: \"host:bücher.example\": label \"bücher\" is not valid" + labelHint, "host:bücher.example");
        String label64 = "a".repeat(64);
        fails("--allow: \"host:" + label64 + ".com\": label \"" + label64 + "\" is not valid" + labelHint,
                "host:" + label64 + ".com");
        String name254 = String.join(".", "a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(62));
        fails("--allow: \"host:" + name254 + "\": the name is longer than 253 characters" + HOST_HINT, "host:" + name254);
    }

    @Test
    void unknownSchemes() {
        String hint = " is not an allow rule; use tcp:CIDR[:PORT|:LOW-HIGH] or host:NAME[:PORT|:LOW-HIGH]"
                + " (e.g. tcp:10.0.0.0/8:443, host:api.example.com:443)";
        fails("--allow: \"udp:10.0.0.0/8:53\"" + hint, "udp:10.0.0.0/8:53");
        fails("--allow: \"10.0.0.0/8\"" + hint, "10.0.0.0/8");
        fails("--allow: \"TCP:10.0.0.0/8\"" + hint, "TCP:10.0.0.0/8");
        fails("--allow: \"\"" + hint, "");
    }

    @Test
    void dnsUpstreams() {
        assertEquals(new InetSocketAddress(ip("192.0.2.53"), 53), NetValues.dnsUpstream("--dns-upstream", "192.0.2.53"));
        assertEquals(new InetSocketAddress(ip("192.0.2.53"), 5353), NetValues.dnsUpstream("--dns-upstream", "192.0.2.53:5353"));
        assertEquals(new InetSocketAddress(ip("2001:db8::53"), 5353),
                NetValues.dnsUpstream("--dns-upstream", "[2001:db8::53]:5353"));
        assertEquals(new InetSocketAddress(ip("::1"), 53), NetValues.dnsUpstream("--dns-upstream", "[::1]"));
        String f = "--dns-upstream: ";
        dnsFails(f + "\"dns.example.com\": \"dns.example.com\" is not an IP address" + DNS_HINT, "dns.example.com");
        dnsFails(f + "\"192.0.2.256\": \"192.0.2.256\" is not an IP address" + DNS_HINT, "192.0.2.256");
        dnsFails(f + "\"\": \"\" is not an IP address" + DNS_HINT, "");
        dnsFails(f + "\"[2001:db8::zz]\": \"2001:db8::zz\" is not an IPv6 address" + DNS_HINT, "[2001:db8::zz]");
        dnsFails(f + "\"[2001:db8::53\" has no closing ']'" + DNS_HINT, "[2001:db8::53");
        dnsFails(f + "\"[2001:db8::53]53\" is not an address" + DNS_HINT, "[2001:db8::53]53");
        dnsFails(f + "\"2001:db8::53\": put an IPv6 address in brackets, e.g. [2001:db8::53] or [2001:db8::53]:5353",
                "2001:db8::53");
        dnsFails(f + "\"[::ffff:192.0.2.53]:53\": ::ffff:192.0.2.53 is an IPv4-mapped address; write the IPv4 form:"
                + " 192.0.2.53:53", "[::ffff:192.0.2.53]:53");
        dnsFails(f + "\"192.0.2.53:0\": port 0 is out of range; use 1 to 65535 (53 when left out)", "192.0.2.53:0");
        dnsFails(f + "\"192.0.2.53:\": port \"\" is not a number; use 1 to 65535 (53 when left out)", "192.0.2.53:");
        dnsFails(f + "\"[::1]:dns\": port \"dns\" is not a number; use 1 to 65535 (53 when left out)", "[::1]:dns");
    }

    @Test
    void rates() {
        assertEquals(1, NetValues.connectionsPerSecond("--net-rate", "1"));
        assertEquals(100000, NetValues.connectionsPerSecond("--net-rate", "100000"));
        assertEquals(5, NetValues.burst("--net-burst", "5"));
        assertEquals(100000, NetValues.burst("--net-burst", "100000"));
        assertEquals(1, NetValues.concurrent("--net-concurrent", "1"));
        assertEquals(65536, NetValues.concurrent("--net-concurrent", "65536"));
        fails("--net-rate: \"0\" is out of range; use 1 to 100000", () -> NetValues.connectionsPerSecond("--net-rate", "0"));
        fails("--net-rate: \"100001\" is out of range; use 1 to 100000",
                () -> NetValues.connectionsPerSecond("--net-rate", "100001"));
        fails("--net-rate: \"2.5\" is not a whole number; use 1 to 100000",
                () -> NetValues.connectionsPerSecond("--net-rate", "2.5"));
        fails("--net-burst: \"0\" is out of range; use 1 to 100000", () -> NetValues.burst("--net-burst", "0"));
        fails("--net-burst: \"many\" is not a whole number; use 1 to 100000", () -> NetValues.burst("--net-burst", "many"));
        fails("--net-concurrent: \"65537\" is out of range; use 1 to 65536",
                () -> NetValues.concurrent("--net-concurrent", "65537"));
        fails("--net-concurrent: \"-1\" is not a whole number; use 1 to 65536",
                () -> NetValues.concurrent("--net-concurrent", "-1"));
        fails("--net-concurrent: \"99999999999999999999\" is not a whole number; use 1 to 65536",
                () -> NetValues.concurrent("--net-concurrent", "99999999999999999999"));
    }

    @Test
    void outboundModes() {
        assertEquals(NetworkPolicy.Outbound.PROXY, NetValues.outbound("--outbound", "proxy"));
        assertEquals(NetworkPolicy.Outbound.NONE, NetValues.outbound("--outbound", "none"));
        fails("--outbound: \"off\" is not an outbound mode; use proxy (connects go through the launcher's proxy) or none"
                + " (nothing leaves the sandbox)", () -> NetValues.outbound("--outbound", "off"));
    }

    @Test
    void overLimitActions() {
        assertEquals(NetworkPolicy.OverLimit.REFUSE, NetValues.overLimit("--net-over-limit", "refuse"));
        assertEquals(NetworkPolicy.OverLimit.DELAY, NetValues.overLimit("--net-over-limit", "delay"));
        fails("--net-over-limit: \"drop\" is not an over-limit action; use refuse or delay",
                () -> NetValues.overLimit("--net-over-limit", "drop"));
        fails("--net-over-limit: \"REFUSE\" is not an over-limit action; use refuse or delay",
                () -> NetValues.overLimit("--net-over-limit", "REFUSE"));
    }

    @Test
    void bandwidths() {
        assertEquals(10L << 20, NetValues.bandwidth("--bandwidth-in", "10M"));
        assertEquals(512L << 10, NetValues.bandwidth("--bandwidth-in", "512k"));
        assertEquals(1L << 30, NetValues.bandwidth("--bandwidth-in", "1G"));
        assertEquals(1000, NetValues.bandwidth("--bandwidth-out", "1000"));
        assertEquals(0, NetValues.bandwidth("--bandwidth-out", "0"));
        assertEquals(0, NetValues.bandwidth("--bandwidth-out", "unlimited"));
        String notSize = " is not a size; use bytes per second with K, M or G (e.g. 10M), or unlimited (or 0)";
        fails("--bandwidth-in: \"10M/s\"" + notSize, () -> NetValues.bandwidth("--bandwidth-in", "10M/s"));
        fails("--bandwidth-in: \"1.5M\"" + notSize, () -> NetValues.bandwidth("--bandwidth-in", "1.5M"));
        fails("--bandwidth-in: \"max\"" + notSize, () -> NetValues.bandwidth("--bandwidth-in", "max"));
        fails("--bandwidth-in: \"-1\"" + notSize, () -> NetValues.bandwidth("--bandwidth-in", "-1"));
        fails("--bandwidth-out: \"99999999999999999999G\" is too large; a size goes up to 8589934591G",
                () -> NetValues.bandwidth("--bandwidth-out", "99999999999999999999G"));
    }

    @Test
    void auditLogs() throws IOException {
        assertEquals(Path.of("/var/log/sandbox-run/audit.jsonl"),
                NetValues.auditLog("--audit-log", "/var/log/sandbox-run/../sandbox-run/audit.jsonl", tmp));
        assertEquals(tmp.resolve("logs/audit.jsonl"), NetValues.auditLog("--audit-log", "logs/./audit.jsonl", tmp));
        Files.createDirectory(tmp.resolve("logs"));
        String hint = "; give a file (e.g. /var/log/sandbox-run/audit.jsonl)";
        fails("--audit-log: \"logs\" is a directory" + hint, () -> NetValues.auditLog("--audit-log", "logs", tmp));
        fails("--audit-log: \".\" is a directory" + hint, () -> NetValues.auditLog("--audit-log", ".", tmp));
        fails("--audit-log: \"/var/log/\" ends with '/'" + hint, () -> NetValues.auditLog("--audit-log", "/var/log/", tmp));
        fails("--audit-log: \"\" is empty" + hint, () -> NetValues.auditLog("--audit-log", "", tmp));
        fails("--audit-log: \"a\\u0000b\" contains a NUL character", () -> NetValues.auditLog("--audit-log", "a\0b", tmp));
    }

    @Test
    void words() {
        assertEquals("unlimited", NetValues.bandwidthWord(0));
        assertEquals("10M", NetValues.bandwidthWord(10L << 20));
        assertEquals("1000", NetValues.bandwidthWord(1000));
        assertEquals("192.0.2.53:53", NetValues.upstreamWord(new InetSocketAddress(ip("192.0.2.53"), 53)));
        assertEquals("[2001:db8::53]:5353", NetValues.upstreamWord(new InetSocketAddress(ip("2001:db8::53"), 5353)));
        assertEquals("::", NetValues.literal(ip("::")));
        assertEquals("::1", NetValues.literal(ip("::1")));
        assertEquals("1::", NetValues.literal(ip("1::")));
        assertEquals("2001:db8::1", NetValues.literal(ip("2001:db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", NetValues.literal(ip("2001:db8:0:1:1:1:1:1")));
        assertEquals("2001:0:0:1::1", NetValues.literal(ip("2001:0:0:1:0:0:0:1")));
        assertEquals("2001:db8::1:0:0:1", NetValues.literal(ip("2001:db8:0:0:1:0:0:1")));
        assertEquals("fe80::a00:1", NetValues.literal(ip("fe80::10.0.0.1")));
    }

    private static NetRule rule(String text) {
        return NetValues.rule("--allow", text);
    }

    private static NetRule.Tcp tcp(String address, int prefix, int low, int high) {
        return new NetRule.Tcp(ip(address), prefix, low, high);
    }

    /** A literal address (never looked up: every caller passes a numeric literal). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fails(String message, String rule) {
        fails(message, () -> NetValues.rule("--allow", rule));
    }

    private static void dnsFails(String message, String text) {
        fails(message, () -> NetValues.dnsUpstream("--dns-upstream", text));
    }

    private static void fails(String message, Executable e) {
        assertEquals(message, assertThrows(PolicyException.class, e).getMessage());
    }
}
