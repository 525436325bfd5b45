package io.sandboxrun.tests.net;

import static io.sandboxrun.tests.net.NetSandbox.Audit.event;
import static io.sandboxrun.tests.net.NetSandbox.destination;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.NetworkTotals;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.tests.Harness;
import io.sandboxrun.core.testing.Requires;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the allowlist does not allow stays out of reach: refused with ECONNREFUSED (denied, or kept
 * in the sandbox's own loopback) and audited, and the outside listener never sees a connection;
 * UDP, raw and packet sockets get nowhere; the proxy's own listener, reached directly, relays
 * nothing. Denials of addresses outside loopback: NetMetadataNetnsIT, where nothing can be dialled.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetDeniedIT {
    static NetSandbox net;
    /** The allowed one (proves the proxy works in the same run), then listeners that must see nothing. */
    static OutsideServer allowed, otherPort, otherAddress, hostLoopback, udp;

    @BeforeAll
    static void setUp() throws IOException {
        net = new NetSandbox();
        allowed = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
        otherPort = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
        otherAddress = OutsideServer.tcp("127.0.0.3", OutsideServer.Kind.ECHO);
        hostLoopback = OutsideServer.tcp("127.0.0.1", OutsideServer.Kind.ECHO);
        udp = OutsideServer.udp("127.0.0.2");
    }

    @AfterAll
    static void tearDown() {
        for (OutsideServer s : new OutsideServer[] {allowed, otherPort, otherAddress, hostLoopback, udp}) {
            if (s != null) s.close();
        }
        if (net != null) net.close();
    }

    private static String allowRule() {
        return "tcp:127.0.0.2/32:" + allowed.port();
    }

    private static JsonNode onlyConnect(NetSandbox.Probe p, String host, int port) {
        return p.audit().await(1, "connect to " + host + ":" + port, event("connect", destination(host, port))).get(0);
    }

    /**
     * {@code outbound: none}: no proxy and no notified connect, the empty network namespace alone.
     * An outside address has no route (ENETUNREACH, from the kernel), a loopback one is the
     * sandbox's own, no proxy listener exists inside, and the result carries no network figures.
     */
    @Test
    void outboundNoneLeavesTheEmptyNamespaceAlone() {
        NetworkPolicy none = PolicyDefaults.network().withOutbound(NetworkPolicy.Outbound.NONE);
        Harness.Run run = net.h.run(net.policy("net-none", none, "connect 192.0.2.1 80", "echo " + allowed.at(),
                "proxyport"));
        NetSandbox.Probe p = new NetSandbox.Probe("net-none", run, new NetSandbox.Audit(net.newAuditLog()));   // stays absent
        p.failed(0, "ENETUNREACH");
        p.failed(1, "ECONNREFUSED");
        JsonNode scan = p.step(2);
        assertFalse(scan.get("ok").asBoolean(), scan.toString());
        assertTrue(scan.get("detail").asText().startsWith("no listener found"), scan.toString());
        assertEquals(0, allowed.accepted.get(), "connections the host's server got");
        assertTrue(run.result().network().isEmpty(), "no network figures without the proxy");
        assertTrue(run.result().protections().stream().anyMatch(pr -> pr.wall().equals("network")
                && pr.detail().contains("outbound: none")), run.result().protections().toString());
    }

    /** 127.0.0.2 is named by a rule (for another port): the allowlist decides, and denies. */
    @Test
    void portNotAllowedIsRefusedAndAudited() {
        NetSandbox.Probe p = net.run("net-port", net.network(allowRule()),
                "echo " + allowed.at(), "echo " + otherPort.at());
        p.ok(0);
        p.failed(1, "ECONNREFUSED");
        assertEquals(0, otherPort.accepted.get(), "connections the not-allowed port got");
        JsonNode deny = onlyConnect(p, "127.0.0.2", otherPort.port());
        assertEquals("deny", deny.path("decision").asText(), deny.toString());
        assertTrue(deny.path("reason").asText().contains("port " + otherPort.port()), deny.toString());
        assertTrue(deny.path("rule").isNull(), deny.toString());
        assertEquals(new NetworkTotals(1, 1, 0, 5, 5), p.run().result().network().orElseThrow(), "RunResult.network");
    }

    /**
     * 127.0.0.3, named by no rule, is the sandbox's own loopback: the connect() stays inside
     * (nothing listens there), audited as local; the host's listener on 127.0.0.3 sees nothing.
     */
    @Test
    void addressNotAllowedStaysInTheSandbox() {
        NetSandbox.Probe p = net.run("net-addr", net.network(allowRule()), "echo " + otherAddress.at());
        p.failed(0, "ECONNREFUSED");
        assertEquals(0, otherAddress.accepted.get(), "connections 127.0.0.3 got");
        JsonNode local = onlyConnect(p, "127.0.0.3", otherAddress.port());
        assertEquals("local", local.path("decision").asText(), local.toString());
    }

    /** The same for 127.0.0.1, where the host has a listener on that port. */
    @Test
    void hostLoopbackWithoutARuleStaysInTheSandbox() {
        NetSandbox.Probe p = net.run("net-lo", net.network(allowRule()), "echo " + hostLoopback.at());
        p.failed(0, "ECONNREFUSED");
        assertEquals(0, hostLoopback.accepted.get(), "connections the host's 127.0.0.1 listener got");
        JsonNode local = onlyConnect(p, "127.0.0.1", hostLoopback.port());
        System.out.println("audit for an unnamed 127.0.0.1: " + local);
        assertEquals("local", local.path("decision").asText(), local.toString());
        assertEquals(new NetworkTotals(0, 0, 1, 0, 0), p.run().result().network().orElseThrow(), "RunResult.network");
    }

    @Test
    void udpToAnOutsideServerArrivesNowhere() {
        NetSandbox.Probe p = net.run("net-udp", net.network(allowRule(), "tcp:127.0.0.2/32:" + udp.port()),
                "udp " + udp.at(), "sleep 0.3");
        System.out.println("udp sendto 127.0.0.2 in the sandbox: " + p.step(0));
        NetSandbox.sleep(300);
        assertEquals(0, udp.accepted.get(), "datagrams the outside UDP server got; " + p);
    }

    @Test
    void rawAndPacketSocketsAreRefused() {
        NetSandbox.Probe p = net.run("net-raw", net.network(allowRule()), "raw", "packet");
        for (int i = 0; i < 2; i++) {
            JsonNode s = p.step(i);
            assertFalse(s.get("ok").asBoolean(), s.toString());
            assertTrue(List.of("EPERM", "EACCES").contains(s.get("errno").asText()), s + "\n" + p);
        }
    }

    @Test
    void theProxyListenerReachedDirectlyRelaysNothing() {
        int before = allowed.accepted.get();
        NetSandbox.Probe p = net.run("net-proxyport", net.network(allowRule()), "proxyport");
        JsonNode s = p.step(0);
        assertFalse(s.get("ok").asBoolean(), "the app got data through the proxy's listener: " + s + "\n" + p);
        assertNotNull(s.get("detail").asText(null), s.toString());
        assertFalse(s.get("detail").asText().startsWith("no listener found"), "the scan found no proxy listener: " + s);
        System.out.println("straight to the proxy's listeners: " + s.get("detail").asText());
        assertEquals(before, allowed.accepted.get(), "connections the outside server got");
        assertEquals(0, otherPort.accepted.get() + otherAddress.accepted.get() + hostLoopback.accepted.get(),
                "connections the other outside servers got");
        List<JsonNode> denies = p.audit().matching(j -> j.path("decision").asText().equals("deny"));
        assertFalse(denies.isEmpty(), "no deny line for a connection straight to the proxy:\n" + p.audit().text());
    }
}
