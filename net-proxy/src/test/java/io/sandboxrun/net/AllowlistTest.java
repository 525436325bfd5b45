package io.sandboxrun.net;

import static io.sandboxrun.net.AddressRangesTest.ip;
import static io.sandboxrun.net.AddressRangesTest.mapped;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetValues;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllowlistTest {
    private static final long NOW = 1_700_000_000_000L;
    private final NameAllowances names = new NameAllowances();

    @Test
    void denyByDefault() {
        assertDenied(allowlist(), "203.0.113.7", 443, "no rule allows 203.0.113.7");
        assertDenied(allowlist(), "2001:db8::1", 443, "no rule allows 2001:db8::1");
    }

    @Test
    void aRuleNamesTheAddressesOfItsBlockButAWildcardNamesNoSpecialOne() throws Exception {
        Allowlist a = allowlist("tcp:127.0.0.2/32:80", "tcp:0.0.0.0/0:443");
        assertTrue(a.names(ip("127.0.0.2")));
        assertTrue(a.names(mapped("127.0.0.2")));
        assertFalse(a.names(ip("127.0.0.1")), "the wildcard does not name loopback");
        assertFalse(a.names(ip("169.254.169.254")));
        assertTrue(a.names(ip("203.0.113.7")));
        assertFalse(allowlist().names(ip("203.0.113.7")));
    }

    @Test
    void tcpRuleWithPort() {
        Allowlist a = allowlist("tcp:203.0.113.0/24:443");
        assertAllowed(a, "203.0.113.7", 443, "tcp:203.0.113.0/24:443", null, "allowed by tcp:203.0.113.0/24:443");
        assertDenied(a, "203.0.113.7", 22, "port 22 is not covered by any rule for 203.0.113.7");
        assertDenied(a, "203.0.114.7", 443, "no rule allows 203.0.114.7");
    }

    @Test
    void portRanges() {
        Allowlist a = allowlist("tcp:203.0.113.7/32:8000-8080", "tcp:198.51.100.0/24");
        assertAllowed(a, "203.0.113.7", 8000, "tcp:203.0.113.7/32:8000-8080", null, "allowed by tcp:203.0.113.7/32:8000-8080");
        assertAllowed(a, "203.0.113.7", 8080, "tcp:203.0.113.7/32:8000-8080", null, "allowed by tcp:203.0.113.7/32:8000-8080");
        assertDenied(a, "203.0.113.7", 7999, "port 7999 is not covered by any rule for 203.0.113.7");
        assertDenied(a, "203.0.113.7", 8081, "port 8081 is not covered by any rule for 203.0.113.7");
        assertAllowed(a, "198.51.100.9", 1, "tcp:198.51.100.0/24", null, "allowed by tcp:198.51.100.0/24");
        assertAllowed(a, "198.51.100.9", 65535, "tcp:198.51.100.0/24", null, "allowed by tcp:198.51.100.0/24");
    }

    @Test
    void wildcardsReachPublicAddressesOnly() {
        Allowlist a = allowlist("tcp:0.0.0.0/0", "tcp:[::]/0");
        assertAllowed(a, "203.0.113.7", 443, "tcp:0.0.0.0/0", null, "allowed by tcp:0.0.0.0/0");
        assertAllowed(a, "2001:db8::1", 443, "tcp:[::]/0", null, "allowed by tcp:[::]/0");
        assertAllowed(a, "::ffff:203.0.113.7", 443, "tcp:0.0.0.0/0", null, "allowed by tcp:0.0.0.0/0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "169.254.169.254 | 169.254.169.254 is link-local (cloud metadata); no rule names it explicitly (a wildcard does not)",
            "169.254.1.1     | 169.254.1.1 is link-local; no rule names it explicitly (a wildcard does not)",
            "127.0.0.1       | 127.0.0.1 is loopback; no rule names it explicitly (a wildcard does not)",
            "127.0.0.2       | 127.0.0.2 is loopback; no rule names it explicitly (a wildcard does not)",
            "0.0.0.0         | 0.0.0.0 is this-host; no rule names it explicitly (a wildcard does not)",
            "10.1.2.3        | 10.1.2.3 is private; no rule names it explicitly (a wildcard does not)",
            "172.16.0.1      | 172.16.0.1 is private; no rule names it explicitly (a wildcard does not)",
            "172.31.255.254  | 172.31.255.254 is private; no rule names it explicitly (a wildcard does not)",
            "192.168.1.1     | 192.168.1.1 is private; no rule names it explicitly (a wildcard does not)",
            "100.64.0.1      | 100.64.0.1 is private (CGNAT); no rule names it explicitly (a wildcard does not)",
            "100.100.100.200 | 100.100.100.200 is private (cloud metadata); no rule names it explicitly (a wildcard does not)",
            "::1             | ::1 is loopback; no rule names it explicitly (a wildcard does not)",
            "::              | :: is this-host; no rule names it explicitly (a wildcard does not)",
            "fe80::1         | fe80::1 is link-local; no rule names it explicitly (a wildcard does not)",
            "fd00::1         | fd00::1 is private (unique local); no rule names it explicitly (a wildcard does not)",
            "fd00:ec2::254   | fd00:ec2::254 is private (cloud metadata); no rule names it explicitly (a wildcard does not)",
            "::ffff:10.1.2.3 | 10.1.2.3 is private; no rule names it explicitly (a wildcard does not)",
            "::10.1.2.3      | 10.1.2.3 is private; no rule names it explicitly (a wildcard does not)",
            "64:ff9b::a9fe:a9fe | 169.254.169.254 is link-local (cloud metadata); no rule names it explicitly (a wildcard does not)",
            "64:ff9b::7f00:1 | 127.0.0.1 is loopback; no rule names it explicitly (a wildcard does not)"})
    void wildcardsNeverReachSpecialRanges(String address, String reason) {
        Allowlist a = allowlist("tcp:0.0.0.0/0", "tcp:[::]/0", "tcp:0.0.0.0/1", "tcp:[::]/1", "tcp:[64:ff9b::]/96");
        assertDenied(a, address, 80, reason);
    }

    @ParameterizedTest
    @CsvSource({"169.254.169.254", "10.1.2.3", "172.20.0.1", "192.168.0.1", "100.64.0.1", "127.0.0.1", "0.0.0.0"})
    void mappedInet6ObjectsAreJudgedAsIpv4(String v4) throws Exception {
        Allowlist a = allowlist("tcp:0.0.0.0/0", "tcp:[::]/0");
        Allowlist.Decision d = a.decide(mapped(v4), 80, names, NOW);
        assertEquals(false, d.allowed(), d.reason());
        assertEquals(true, d.reason().startsWith(v4 + " is "), d.reason());
    }

    @Test
    void specialRangeWithoutAnyRule() {
        assertDenied(allowlist("tcp:203.0.113.0/24"), "10.1.2.3", 443, "10.1.2.3 is private; no rule names it explicitly");
    }

    @Test
    void rulesThatNameASpecialRange() {
        Allowlist a = allowlist("tcp:10.0.0.0/8:443", "tcp:127.0.0.2/32:8080", "tcp:169.254.169.254/32:80",
                "tcp:[fd00::]/8:5432", "tcp:[fe80::]/10:22", "tcp:100.64.0.0/10:53", "tcp:172.16.0.0/12:1-1024",
                "tcp:192.168.7.0/24:25");
        assertAllowed(a, "10.1.2.3", 443, "tcp:10.0.0.0/8:443", null, "allowed by tcp:10.0.0.0/8:443");
        assertAllowed(a, "::ffff:10.1.2.3", 443, "tcp:10.0.0.0/8:443", null, "allowed by tcp:10.0.0.0/8:443");
        assertDenied(a, "10.1.2.3", 444, "port 444 is not covered by any rule for 10.1.2.3");
        assertAllowed(a, "127.0.0.2", 8080, "tcp:127.0.0.2/32:8080", null, "allowed by tcp:127.0.0.2/32:8080");
        assertDenied(a, "127.0.0.1", 8080, "127.0.0.1 is loopback; no rule names it explicitly");
        assertAllowed(a, "169.254.169.254", 80, "tcp:169.254.169.254/32:80", null, "allowed by tcp:169.254.169.254/32:80");
        assertAllowed(a, "fd00::5", 5432, "tcp:[fd00::]/8:5432", null, "allowed by tcp:[fd00::]/8:5432");
        assertDenied(a, "fc00::5", 5432, "fc00::5 is private (unique local); no rule names it explicitly");
        assertAllowed(a, "fe80::1", 22, "tcp:[fe80::]/10:22", null, "allowed by tcp:[fe80::]/10:22");
        assertAllowed(a, "100.127.0.1", 53, "tcp:100.64.0.0/10:53", null, "allowed by tcp:100.64.0.0/10:53");
        assertAllowed(a, "172.31.0.1", 1024, "tcp:172.16.0.0/12:1-1024", null, "allowed by tcp:172.16.0.0/12:1-1024");
        assertAllowed(a, "192.168.7.7", 25, "tcp:192.168.7.0/24:25", null, "allowed by tcp:192.168.7.0/24:25");
        assertDenied(a, "192.168.8.7", 25, "192.168.8.7 is private; no rule names it explicitly");
    }

    @Test
    void aRuleLargerThanTheRangeDoesNotNameIt() {
        // 10.0.0.0/7 holds 10/8 and 11/8: it is a wide rule, not a name for the private range.
        Allowlist a = allowlist("tcp:10.0.0.0/7:443", "tcp:172.0.0.0/8");
        assertDenied(a, "10.1.2.3", 443, "10.1.2.3 is private; no rule names it explicitly (a wildcard does not)");
        assertAllowed(a, "11.1.2.3", 443, "tcp:10.0.0.0/7:443", null, "allowed by tcp:10.0.0.0/7:443");
        assertDenied(a, "172.16.0.1", 80, "172.16.0.1 is private; no rule names it explicitly (a wildcard does not)");
    }

    @Test
    void mappedRuleNamesTheIpv4Range() {
        Allowlist a = new Allowlist(List.of(new NetRule.Tcp(ip("::ffff:10.0.0.0"), 104, 443, 443)));
        assertEquals(true, a.decide(ip("10.9.9.9"), 443, names, NOW).allowed());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "224.0.0.1       | 224.0.0.1 is multicast; TCP never goes there",
            "239.1.2.3       | 239.1.2.3 is multicast; TCP never goes there",
            "ff02::1         | ff02::1 is multicast; TCP never goes there",
            "::ffff:224.0.0.1| 224.0.0.1 is multicast; TCP never goes there",
            "255.255.255.255 | 255.255.255.255 is broadcast; TCP never goes there"})
    void multicastAndBroadcastAlwaysDenied(String address, String reason) {
        Allowlist a = allowlist("tcp:0.0.0.0/0", "tcp:[::]/0", "tcp:224.0.0.0/4", "tcp:255.255.255.255/32", "tcp:[ff00::]/8");
        assertDenied(a, address, 80, reason);
    }

    @Test
    void hostGrantAllows() {
        NetRule.Host api = host("api.example.com", 443, 443);
        Allowlist a = new Allowlist(List.of(api));
        names.record(api, "api.example.com", ip("203.0.113.7"), 42, NOW);
        assertAllowed(a, "203.0.113.7", 443, "host:api.example.com:443", "api.example.com",
                "api.example.com resolved to it (TTL left 42 s), allowed by host:api.example.com:443");
        assertAllowed(a, "::ffff:203.0.113.7", 443, "host:api.example.com:443", "api.example.com",
                "api.example.com resolved to it (TTL left 42 s), allowed by host:api.example.com:443");
        assertDenied(a, "203.0.113.7", 80, "port 80 is not covered by any rule for 203.0.113.7");
        assertDenied(a, "203.0.113.8", 443, "no rule allows 203.0.113.8");
    }

    @Test
    void wildcardHostRuleGrant() {
        NetRule.Host any = host("*.example.com", 1, 65535);
        Allowlist a = new Allowlist(List.of(any));
        names.record(any, "cdn.eu.example.com", ip("2001:db8::7"), 300, NOW);
        assertAllowed(a, "2001:db8::7", 8443, "host:*.example.com", "cdn.eu.example.com",
                "cdn.eu.example.com resolved to it (TTL left 300 s), allowed by host:*.example.com");
    }

    @Test
    void anExpiredNameIsTheReasonEvenWhereATcpRuleNamesTheAddressOnAnotherPort() {
        NetRule.Host api = host("api.test", 8080, 8080);
        Allowlist a = new Allowlist(List.of(api, NetValues.rule("--allow", "tcp:127.0.0.2/32:1")));
        names.record(api, "api.test", ip("127.0.0.2"), 2, NOW);
        assertAllowed(a, "127.0.0.2", 8080, NOW + 1_000, "host:api.test:8080", "api.test",
                "api.test resolved to it (TTL left 1 s), allowed by host:api.test:8080");
        assertDenied(a, "127.0.0.2", 8080, NOW + 3_000,
                "the allowance for api.test expired (1 s ago); 127.0.0.2 is not allowed until the name is resolved again");
        assertDenied(a, "127.0.0.2", 9090, NOW + 3_000, "port 9090 is not covered by any rule for 127.0.0.2");
    }

    @Test
    void hostGrantExpires() {
        NetRule.Host api = host("api.example.com", 443, 443);
        Allowlist a = new Allowlist(List.of(api));
        names.record(api, "api.example.com", ip("203.0.113.7"), 42, NOW);
        assertAllowed(a, "203.0.113.7", 443, NOW + 41_001, "host:api.example.com:443", "api.example.com",
                "api.example.com resolved to it (TTL left 1 s), allowed by host:api.example.com:443");
        assertDenied(a, "203.0.113.7", 443, NOW + 42_000,
                "the allowance for api.example.com expired (0 s ago); 203.0.113.7 is not allowed until the name is resolved again");
        assertDenied(a, "203.0.113.7", 443, NOW + 102_000,
                "the allowance for api.example.com expired (60 s ago); 203.0.113.7 is not allowed until the name is resolved again");
        // Long after, the allowance is forgotten.
        assertDenied(a, "203.0.113.7", 443, NOW + 42_000 + NameAllowances.EXPIRED_KEPT_MILLIS + 60_000,
                "no rule allows 203.0.113.7");
        names.record(api, "api.example.com", ip("203.0.113.7"), 10, NOW + 900_000);
        assertEquals(true, a.decide(ip("203.0.113.7"), 443, names, NOW + 900_000).allowed());
    }

    @Test
    void hostRuleDoesNotReachSpecialRanges() {
        NetRule.Host api = host("api.example.com", 443, 443);
        Allowlist a = new Allowlist(List.of(api, rule("tcp:0.0.0.0/0")));
        for (String inside : List.of("10.0.0.5", "127.0.0.1", "169.254.169.254", "192.168.1.1", "0.0.0.0", "100.64.1.1")) {
            names.record(api, "api.example.com", ip(inside), 60, NOW);
            Allowlist.Decision d = a.decide(ip(inside), 443, names, NOW);
            assertEquals(false, d.allowed(), d.reason());
        }
        assertDenied(a, "10.0.0.5", 443, "10.0.0.5 is private; api.example.com resolved to it, but a host rule reaches"
                + " private addresses only where a tcp rule names the range (DNS rebinding protection)");
        assertDenied(a, "169.254.169.254", 443, "169.254.169.254 is link-local (cloud metadata); api.example.com resolved"
                + " to it, but a host rule reaches link-local addresses only where a tcp rule names the range"
                + " (DNS rebinding protection)");
        names.record(api, "api.example.com", ip("fd00::1"), 60, NOW);
        assertDenied(a, "fd00::1", 443, "fd00::1 is private (unique local); api.example.com resolved to it, but a host"
                + " rule reaches private addresses only where a tcp rule names the range (DNS rebinding protection)");
    }

    @Test
    void hostRuleReachesARangeATcpRuleNames() {
        NetRule.Host db = host("db.internal.example", 443, 443);
        Allowlist a = new Allowlist(List.of(db, rule("tcp:10.0.0.0/8:5432")));
        names.record(db, "db.internal.example", ip("10.0.0.5"), 60, NOW);
        assertAllowed(a, "10.0.0.5", 443, "host:db.internal.example:443", "db.internal.example",
                "db.internal.example resolved to it (TTL left 60 s), allowed by host:db.internal.example:443");
        assertAllowed(a, "10.0.0.5", 5432, "tcp:10.0.0.0/8:5432", null, "allowed by tcp:10.0.0.0/8:5432");
        assertDenied(a, "10.0.0.5", 22, "port 22 is not covered by any rule for 10.0.0.5");
        names.record(db, "db.internal.example", ip("192.168.0.5"), 60, NOW);
        assertEquals(false, a.decide(ip("192.168.0.5"), 443, names, NOW).allowed());
    }

    @Test
    void tcpRuleWinsOverHostGrant() {
        NetRule.Host api = host("api.example.com", 443, 443);
        Allowlist a = new Allowlist(List.of(api, rule("tcp:203.0.113.0/24:443")));
        names.record(api, "api.example.com", ip("203.0.113.7"), 60, NOW);
        assertAllowed(a, "203.0.113.7", 443, "tcp:203.0.113.0/24:443", null, "allowed by tcp:203.0.113.0/24:443");
    }

    private void assertAllowed(Allowlist a, String address, int port, String rule, String name, String reason) {
        assertAllowed(a, address, port, NOW, rule, name, reason);
    }

    private void assertAllowed(Allowlist a, String address, int port, long now, String rule, String name, String reason) {
        assertEquals(new Allowlist.Decision(true, rule, name, reason), a.decide(ip(address), port, names, now));
    }

    private void assertDenied(Allowlist a, String address, int port, String reason) {
        assertDenied(a, address, port, NOW, reason);
    }

    private void assertDenied(Allowlist a, String address, int port, long now, String reason) {
        assertEquals(new Allowlist.Decision(false, null, null, reason), a.decide(ip(address), port, names, now));
    }

    static NetRule.Host host(String name, int low, int high) {
        return new NetRule.Host(name, low, high);
    }

    /** {@code tcp:CIDR[:LOW[-HIGH]]} with the address in brackets for IPv6, as in a policy file. */
    static NetRule.Tcp rule(String text) {
        String rest = text.substring("tcp:".length());
        String cidr;
        String ports = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            int colon = rest.indexOf(':', close);
            cidr = rest.substring(1, close) + (colon < 0 ? rest.substring(close + 1) : rest.substring(close + 1, colon));
            if (colon >= 0) ports = rest.substring(colon + 1);
        } else {
            int colon = rest.indexOf(':');
            cidr = colon < 0 ? rest : rest.substring(0, colon);
            if (colon >= 0) ports = rest.substring(colon + 1);
        }
        int slash = cidr.indexOf('/');
        InetAddress net = ip(cidr.substring(0, slash));
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        int low = 1, high = 65535;
        if (ports != null) {
            String[] p = ports.split("-");
            low = Integer.parseInt(p[0]);
            high = Integer.parseInt(p[p.length - 1]);
        }
        return new NetRule.Tcp(net, prefix, low, high);
    }

    static Allowlist allowlist(String... rules) {
        return new Allowlist(Arrays.stream(rules).map(r -> (NetRule) rule(r)).toList());
    }
}
