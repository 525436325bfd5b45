package io.sandboxrun.net;

import io.sandboxrun.core.launch.NetworkTotals;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.SockAddr;
import io.sandboxrun.core.linux.Sockets;
import io.sandboxrun.net.audit.AuditEvent;
import io.sandboxrun.net.proxy.ConnectLimiter;
import io.sandboxrun.net.proxy.Destinations;
import io.sandboxrun.net.proxy.InstanceTraffic;
import io.sandboxrun.net.redirect.Admission;
import io.sandboxrun.net.redirect.ConnectRedirect;
import io.sandboxrun.net.redirect.ConnectRoute;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's share of its app's network: the proxy's listeners inside its sandbox (once the
 * helper has handed them over), the table of redirected connections, and its counters. The
 * connect redirect ({@link #connectHandler()}) and the proxy meet here.
 */
public final class InstanceNetwork implements AutoCloseable, Admission {
    private static final System.Logger LOG = System.getLogger(InstanceNetwork.class.getName());

    private final AppNetwork app;
    private final String id;
    private final Destinations table;
    private final InstanceTraffic traffic = new InstanceTraffic();
    private final LongAdder local = new LongAdder();
    private final List<AutoCloseable> attached = new ArrayList<>();
    private volatile InetSocketAddress v4, v6;
    private volatile Set<InetSocketAddress> listeners = Set.of();
    private volatile boolean closed;

    InstanceNetwork(AppNetwork app, String id) {
        this.app = app;
        this.id = id;
        // A redirect the proxy never accepted (the app closed its socket at once) gives its slot back.
        this.table = new Destinations(p -> app.limiter().release());
    }

    public String id() { return id; }

    /** The handler for this instance's notified connects. */
    public ConnectRedirect connectHandler() { return new ConnectRedirect(this); }

    /**
     * Serves the sockets the helper opened in the sandbox's network namespace, in its order: the
     * proxy's TCP listener on 127.0.0.1, DNS on 127.0.0.1:53 over UDP and TCP, and the proxy's
     * listener on [::1] when the sandbox has IPv6. Takes ownership of every descriptor.
     */
    public synchronized void attach(List<Fd> fds) {
        if (closed || fds.size() < 3 || fds.size() > 4) {
            fds.forEach(Fd::close);
            if (!closed) throw new IllegalArgumentException("expected 3 or 4 proxy sockets, got " + fds.size());
            return;
        }
        InetSocketAddress tcp4 = Sockets.localAddress(fds.get(0)).inet().orElseThrow();
        InetSocketAddress tcp6 = fds.size() == 4 ? Sockets.localAddress(fds.get(3)).inet().orElseThrow() : null;
        attached.add(app.proxy().attach(id, fds.get(0).release(), table, traffic));
        if (tcp6 != null) attached.add(app.proxy().attach(id, fds.get(3).release(), table, traffic));
        attached.add(app.dns(id, fds.get(1), fds.get(2)));
        v4 = tcp4;
        v6 = tcp6;
        listeners = tcp6 == null ? Set.of(tcp4) : Set.of(tcp4, tcp6);
    }

    /** The proxy's listeners inside the sandbox (empty until {@link #attach}). */
    @Override
    public Set<InetSocketAddress> proxyListeners() { return listeners; }

    /** Whether a tcp rule of the app names {@code address} (see {@link Allowlist#names}). */
    @Override
    public boolean names(InetAddress address) {
        return app.names(address);
    }

    /** The allowlist's answer for this app now (host-name allowances included). */
    @Override
    public Allowlist.Decision decide(InetAddress address, int port) {
        return app.judge(address, port);
    }

    /** Where a socket of {@code domain} is connected to reach the proxy. */
    @Override
    public InetSocketAddress listenerFor(int domain) {
        InetSocketAddress four = v4;
        if (domain == SockAddr.AF_INET6) {
            InetSocketAddress six = v6;
            // Without a [::1] listener, a dual-stack socket reaches the IPv4 one through ::ffff:127.0.0.1.
            return six != null ? six : new InetSocketAddress(mapped(four.getAddress()), four.getPort());
        }
        return four;
    }

    /** A TCP connect that stayed on the sandbox's own loopback. */
    @Override
    public void local(InetSocketAddress asked, String reason) {
        local.increment();
        app.audit().write(AuditEvent.connect(Instant.now(), app.name(), id, asked.getAddress(), asked.getPort(), null, null,
                AuditEvent.LOCAL, reason));
    }

    /** A connect the allowlist (or the proxy-port check) refused. */
    @Override
    public void refused(InetSocketAddress asked, Allowlist.Decision d) {
        traffic.denied();
        app.audit().write(AuditEvent.connect(Instant.now(), app.name(), id, asked.getAddress(), asked.getPort(), d));
    }

    /**
     * Asks the app's limiter for a redirect the allowlist allowed; refused (counted and audited)
     * when over the rate or concurrency limit, or when the proxy is not serving this instance.
     */
    @Override
    public Optional<Admission.Admitted> admit(ConnectRoute.Redirect r) {
        InetSocketAddress dest = r.destination();
        if (v4 == null || closed) {
            refused(dest, new Allowlist.Decision(false, r.decision().rule(), r.decision().name(),
                    "the proxy is not serving this instance (it has not started or has ended)"));
            return Optional.empty();
        }
        ConnectLimiter.Admission a = app.limiter().admit();
        if (a.kind() != ConnectLimiter.Kind.ADMITTED) {
            refused(dest, new Allowlist.Decision(false, r.decision().rule(), r.decision().name(), app.limiter().reason(a)));
            return Optional.empty();
        }
        return Optional.of(new Slot(r, a.delayNanos()));
    }

    /** An admitted redirect: its slot in the app's limiter and its entry in the instance's table. */
    private final class Slot implements Admission.Admitted {
        private final ConnectRoute.Redirect route;
        private final long delayNanos;
        private InetSocketAddress key;
        private Destinations.Pending pending;

        private Slot(ConnectRoute.Redirect route, long delayNanos) {
            this.route = route;
            this.delayNanos = delayNanos;
        }

        @Override
        public void record(InetSocketAddress appLocal) {
            InetSocketAddress d = route.destination();
            key = appLocal;
            pending = new Destinations.Pending(d.getAddress(), d.getPort(), route.decision(), delayNanos, System.nanoTime());
            table.put(appLocal, pending);
        }

        @Override
        public void connected() {
            traffic.allowed();
            Allowlist.Decision d = route.decision();
            String reason = delayNanos > 0 ? d.reason() + "; delayed " + delayNanos / 1_000_000 + " ms by the connection rate"
                    : d.reason();
            InetSocketAddress dest = route.destination();
            app.audit().write(AuditEvent.connect(Instant.now(), app.name(), id, dest.getAddress(), dest.getPort(), d.name(),
                    d.rule(), AuditEvent.ALLOW, reason));
        }

        @Override
        public void failed(String why) {
            if (key != null) table.remove(key, pending);
            app.limiter().release();
            LOG.log(System.Logger.Level.DEBUG, "app=" + app.name() + " instance=" + id + " redirect to "
                    + route.destination() + " failed: " + why);
        }
    }

    /** The instance's counters now. */
    public NetworkTotals totals() {
        InstanceTraffic.Totals t = traffic.totals();
        return new NetworkTotals(t.allowed(), t.denied(), local.sum(), t.bytesIn(), t.bytesOut());
    }

    /** Stops serving the instance: its listeners, DNS sockets and open connections. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (AutoCloseable c : attached) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "app=" + app.name() + " instance=" + id + " closing the proxy: " + e);
            }
        }
        attached.clear();
        app.instanceClosed();
    }

    private static InetAddress mapped(InetAddress v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4.getAddress(), 0, b, 12, 4);
        try {
            return Inet6Address.getByAddress(null, b, -1);   // stays IPv6: InetAddress.getByAddress would unwrap it
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an address", e);
        }
    }
}
