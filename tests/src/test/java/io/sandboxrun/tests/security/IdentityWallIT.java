package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who the app is inside, what it can see of other processes, and that it has no network. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class IdentityWallIT {
    static Harness h;

    @BeforeAll
    static void setUp() { h = new Harness(); }

    @AfterAll
    static void tearDown() { h.close(); }

    private Policy policy() { return h.policy(Harness.appName("id"), List.of("true")); }

    @Test
    void unprivilegedWithoutCapabilities() throws Exception {
        Harness.Run run = h.probe(policy(), "identity");
        JsonNode id = run.probe();
        assertEquals(1000, id.get("uid").asInt(), run.toString());
        assertEquals(1000, id.get("euid").asInt());
        assertEquals(1000, id.get("gid").asInt());
        assertEquals("0000000000000000", id.get("cap_eff").asText());
        assertEquals("0000000000000000", id.get("cap_bnd").asText());
        assertEquals("0000000000000000", id.get("cap_amb").asText());
        assertEquals("1", id.get("no_new_privs").asText());
        assertEquals("sandbox", id.get("hostname").asText());
        assertNotEquals(InetAddress.getLocalHost().getHostName(), id.get("hostname").asText());
        assertEquals("/app", id.get("cwd").asText());
    }

    @Test
    void seesOnlyItsOwnProcesses() {
        Harness.Run run = h.probe(policy(), "identity");
        JsonNode id = run.probe();
        List<Integer> pids = new ArrayList<>();
        id.get("pids").forEach(p -> pids.add(p.asInt()));
        // pid 1 is sandbox-init, the app is the second process; nothing of the host is visible.
        assertEquals(List.of(1, 2), pids, run.toString());
        assertEquals(2, id.get("pid").asInt());
    }

    @Test
    void environmentIsTheAllowlistNotTheLaunchers() {
        JsonNode env = h.probe(policy(), "identity").probe().get("env");
        Set<String> allowed = Set.of("PATH", "HOME", "LANG", "TMPDIR", "USER", "LOGNAME", "TZ");
        env.fieldNames().forEachRemaining(k -> assertTrue(allowed.contains(k), "unexpected variable " + k + " in " + env));
        assertEquals("/usr/local/bin:/usr/bin:/bin", env.get("PATH").asText());
        assertFalse(env.has("JAVA_HOME"));
    }

    /** The host's loopback listener is not the sandbox's loopback: nothing listens there. */
    @Test
    void hostLoopbackIsUnreachable() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            JsonNode p = h.probe(policy(), "connect", "127.0.0.1", Integer.toString(server.getLocalPort())).probe();
            assertFalse(p.get("escaped").asBoolean(), p.toString());
            assertEquals("ECONNREFUSED", p.get("errno").asText());
        }
    }

    /**
     * An address of this very machine outside loopback: connect() is refused by the launcher
     * (ECONNREFUSED, no rule allows it), and the network namespace alone holds too: a TCP Fast
     * Open sendto(), which connects without connect() and so never reaches the launcher, finds
     * no route (ENETUNREACH). If a wall failed, the connection would still stay on this machine.
     */
    @Test
    void noRouteToAnyOtherAddress() throws Exception {
        InetAddress own = ownNonLoopbackAddress();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(own, 0));
            String port = Integer.toString(server.getLocalPort());
            JsonNode p = h.probe(policy(), "connect", own.getHostAddress(), port).probe();
            assertFalse(p.get("escaped").asBoolean(), p.toString());
            assertEquals("ECONNREFUSED", p.get("errno").asText());
            JsonNode primary = h.probe(policy(), "fastopen", own.getHostAddress(), port).probe();
            assertFalse(primary.get("escaped").asBoolean(), primary.toString());
            assertEquals("ENETUNREACH", primary.get("errno").asText());
            server.setSoTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, server::accept, "nothing reached the host's listener");
        }
    }

    private static InetAddress ownNonLoopbackAddress() throws Exception {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address) return a;
            }
        }
        throw new AssertionError("this host has no non-loopback IPv4 address to test with");
    }
}
