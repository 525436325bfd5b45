package io.sandboxrun.net.redirect;

import io.sandboxrun.core.linux.SockAddr;
import io.sandboxrun.core.linux.Sockets;
import io.sandboxrun.net.AddressRanges;
import io.sandboxrun.net.Allowlist;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Where one notified connect() goes (DESIGN.md "The socket proxy", point 2), decided on the
 * launcher's own copy of the address. Pure: the socket facts and the allowlist's answer come in,
 * a route comes out; {@link ConnectRedirect} carries it out.
 *
 * <p>Letting a call continue is safe although the kernel reads the address again: the sandbox's
 * network namespace has only {@code lo}, so whatever the app swaps in can reach nothing outside.
 * Only a redirect depends on the copy, and it is carried out on the copy alone.
 */
public final class ConnectRoute {
    /** The outcome. */
    public sealed interface Route permits Continue, Refuse, Redirect {}

    /**
     * Let the kernel run the call inside the sandbox.
     *
     * @param local true for a TCP connect to the sandbox's own loopback (audited as {@code local});
     *              false for what the proxy does not handle at all (AF_UNIX, UDP, ...), not audited
     */
    public record Continue(boolean local, String reason) implements Route {}

    /** ECONNREFUSED, audited with {@code decision}. */
    public record Refuse(Allowlist.Decision decision) implements Route {}

    /** Through the proxy to {@code destination} (a v4-mapped address given as the IPv4 one). */
    public record Redirect(InetSocketAddress destination, Allowlist.Decision decision) implements Route {}

    /** The allowlist, asked only for TCP to an inet address. */
    public interface Judge {
        Allowlist.Decision decide(InetAddress address, int port);

        /** Whether a rule names {@code address} on some port (then a loopback address is the host's). */
        boolean names(InetAddress address);
    }

    /**
     * @param address  the decoded copy of the app's sockaddr
     * @param type     the socket's SO_TYPE
     * @param protocol the socket's SO_PROTOCOL
     * @param proxy    the proxy's own listeners inside the sandbox (only the launcher may connect there)
     */
    public static Route route(SockAddr address, int type, int protocol, Set<InetSocketAddress> proxy, Judge judge) {
        if (address.inet().isEmpty()) {
            return new Continue(false, "family " + address.family() + " is not TCP/IP: the kernel decides");
        }
        if (type != Sockets.SOCK_STREAM || (protocol != Sockets.IPPROTO_TCP && protocol != Sockets.IPPROTO_MPTCP)) {
            return new Continue(false, "not a TCP socket: no route leaves the sandbox's network namespace");
        }
        InetSocketAddress target = address.inet().get();
        InetAddress ip = plain(target.getAddress());
        int port = target.getPort();
        if (isProxy(ip, port, proxy)) {
            return new Refuse(new Allowlist.Decision(false, null, null, "the proxy's own listener: connections reach it"
                    + " only through the launcher's redirect"));
        }
        Allowlist.Decision d = judge.decide(target.getAddress(), port);
        if (d.allowed()) return new Redirect(new InetSocketAddress(ip, port), d);
        if (inSandbox(ip) && !judge.names(ip)) {
            return new Continue(true, AddressRanges.text(ip, port) + " is the sandbox's own loopback (no rule names it,"
                    + " so it stays inside)");
        }
        return new Refuse(d);
    }

    /** A v4-mapped IPv6 address as the IPv4 one; any other address as it is. */
    static InetAddress plain(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 16) return a;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return a;
        if ((b[10] & 0xff) != 0xff || (b[11] & 0xff) != 0xff) return a;
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an address", e);
        }
    }

    /** Loopback or the unspecified address (which the kernel connects to the local host). */
    private static boolean inSandbox(InetAddress ip) {
        return ip.isLoopbackAddress() || ip.isAnyLocalAddress();
    }

    private static boolean isProxy(InetAddress ip, int port, Set<InetSocketAddress> proxy) {
        for (InetSocketAddress p : proxy) {
            if (p.getPort() != port) continue;
            // 0.0.0.0 and :: reach the local host too (::ffff:127.0.0.1 arrives here as 127.0.0.1).
            if (p.getAddress().equals(ip) || ip.isAnyLocalAddress() && sameFamily(ip, p.getAddress())) return true;
        }
        return false;
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }

    private ConnectRoute() {}
}
