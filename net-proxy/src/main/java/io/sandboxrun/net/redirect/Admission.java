package io.sandboxrun.net.redirect;

import io.sandboxrun.net.Allowlist;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link ConnectRedirect} needs from the instance whose connects it handles: the allowlist's
 * answer, the proxy's listeners, a slot from the app's connection limiter, and somewhere to count
 * and audit each outcome. The instance's network implements it, so this package does not depend
 * on it.
 */
public interface Admission extends ConnectRoute.Judge {
    /** The proxy's listeners inside the sandbox (empty until they are handed over). */
    Set<InetSocketAddress> proxyListeners();

    /** Where a socket of {@code domain} (AF_INET or AF_INET6) is connected to reach the proxy. */
    InetSocketAddress listenerFor(int domain);

    /** A TCP connect that stayed on the sandbox's own loopback. */
    void local(InetSocketAddress asked, String reason);

    /** A connect the allowlist (or the proxy-port check) refused. */
    void refused(InetSocketAddress asked, Allowlist.Decision decision);

    /**
     * A connection slot for a redirect the allowlist allowed; empty (counted and audited as
     * refused) when over the app's limits or when the proxy is not serving the instance.
     */
    Optional<Admitted> admit(ConnectRoute.Redirect redirect);

    /** A redirect that holds a connection slot until it is connected (the proxy then owns it) or has failed. */
    interface Admitted {
        /** Records the app socket's local address, as the proxy's listener will see it. */
        void record(InetSocketAddress appLocal);

        /** The app's socket is connected (or connecting) to the proxy, which now owns the slot. */
        void connected();

        /** The redirect did not happen: the slot and the recorded entry go. */
        void failed(String why);
    }
}
