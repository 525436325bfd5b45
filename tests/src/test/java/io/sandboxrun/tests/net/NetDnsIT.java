package io.sandboxrun.tests.net;

import static io.sandboxrun.tests.net.NetSandbox.destination;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.testing.Requires;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host rules: the sandbox's resolver answers only the names a rule allows (from the upstream the
 * policy names), and the answer's addresses are reachable for the answer's TTL, not after.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetDnsIT {
    static NetSandbox net;
    static FakeDns dns;
    static OutsideServer api, other;

    @BeforeAll
    static void setUp() throws IOException {
        net = new NetSandbox();
        api = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
        other = OutsideServer.tcp("127.0.0.3", OutsideServer.Kind.ECHO);
        dns = new FakeDns("127.0.0.5");
        dns.put("api.test", "127.0.0.2", 2);
        dns.put("other.test", "127.0.0.3", 300);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (api != null) api.close();
        if (other != null) other.close();
        if (dns != null) dns.close();
        if (net != null) net.close();
    }

    /**
     * host:api.test:PORT, and a tcp rule naming 127.0.0.2 on another port: a host rule alone never
     * opens a special range (DNS rebinding protection), and 127.0.0.2 is loopback.
     */
    private static NetworkPolicy policy() {
        NetworkPolicy n = net.network("host:api.test:" + api.port(), "tcp:127.0.0.2/32:1");
        return n.withDns(new NetworkPolicy.Dns(List.of(dns.address()), false));
    }

    @Test
    void allowedNameResolvesAndConnectsOtherNamesAreRefused() {
        NetSandbox.Probe p = net.run("net-dns", policy(),
                "resolve api.test " + api.port(),
                "resolve-echo api.test " + api.port(),
                "resolve other.test " + other.port(),
                "echo 127.0.0.3 " + other.port());
        assertEquals("[\"127.0.0.2\"]", p.ok(0).toString(), p.toString());
        p.ok(1);
        JsonNode refused = p.step(2);
        assertFalse(refused.get("ok").asBoolean(), "other.test resolved: " + refused + "\n" + p);
        assertTrue(refused.get("errno").asText().startsWith("EAI:"), refused.toString());
        p.failed(3, "ECONNREFUSED");
        assertTrue(api.accepted.get() >= 1, "api.test's server got no connection");
        assertEquals(0, other.accepted.get(), "connections other.test's server got");
        assertFalse(dns.asked.contains("other.test"), "other.test was forwarded upstream: " + dns.asked);
        assertTrue(dns.asked.contains("api.test"), "api.test never reached the upstream: " + dns.asked);

        List<JsonNode> dnsLines = p.audit().matching(j -> j.path("event").asText().equals("dns"));
        assertTrue(dnsLines.stream().anyMatch(j -> j.path("name").asText().equals("api.test")
                && j.path("decision").asText().equals("allow") && j.path("answers").toString().contains("127.0.0.2")),
                "no dns allow line with the answer for api.test:\n" + p.audit().text());
        assertTrue(dnsLines.stream().anyMatch(j -> j.path("name").asText().equals("other.test")
                && j.path("decision").asText().equals("deny")), "no dns deny line for other.test:\n" + p.audit().text());
        JsonNode granted = p.audit().await(1, "connect to api.test", j -> j.path("event").asText().equals("connect")
                && j.path("destination").asText().equals(destination("127.0.0.2", api.port()))).get(0);
        assertEquals("allow", granted.path("decision").asText(), granted.toString());
        assertEquals("api.test", granted.path("name").asText(), granted.toString());
        assertEquals("host:api.test:" + api.port(), granted.path("rule").asText(), granted.toString());
    }

    @Test
    void theAllowanceEndsWithTheTtl() {
        NetSandbox.Probe p = net.run("net-ttl", policy(),
                "resolve-echo api.test " + api.port(),
                "sleep 3",
                "echo 127.0.0.2 " + api.port());
        p.ok(0);
        p.failed(2, "ECONNREFUSED");
        List<JsonNode> connects = p.audit().await(2, "connects to 127.0.0.2",
                NetSandbox.Audit.event("connect", destination("127.0.0.2", api.port())));
        assertEquals("allow", connects.get(0).path("decision").asText(), connects.get(0).toString());
        JsonNode late = connects.get(1);
        assertEquals("deny", late.path("decision").asText(), late.toString());
        assertTrue(late.path("reason").asText().contains("expired"), "reason does not mention the expiry: " + late);
    }
}
