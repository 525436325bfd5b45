package io.sandboxrun.net;

import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.net.audit.AuditLog;
import io.sandboxrun.net.dns.DnsForwarder;
import io.sandboxrun.net.proxy.AppProxy;
import io.sandboxrun.net.proxy.ConnectLimiter;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * One app's outbound network in one launcher, shared by all of its instances: the allowlist and
 * host-name allowances, the connection limiter and bandwidth caps, the DNS forwarder, the proxy
 * and the audit log (DESIGN.md "The socket proxy"). Instances take their share with
 * {@link #instance(String)}.
 */
public final class AppNetwork implements AutoCloseable {
    private final String app;
    private final NetworkPolicy policy;
    private final Allowlist allowlist;
    private final NameAllowances names = new NameAllowances();
    private final ConnectLimiter limiter;
    private final AuditLog audit;
    private final AppProxy proxy;
    private final DnsForwarder dns;   // null when there is no resolver to forward to
    private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Runnable onIdle = () -> { };

    /**
     * @param warn hears what the app will miss (no upstream resolver: names do not resolve inside)
     * @throws UncheckedIOException when the audit log cannot be opened
     */
    public AppNetwork(String app, NetworkPolicy policy, EventLoopGroup group, Consumer<String> warn) {
        this.app = app;
        this.policy = policy;
        this.allowlist = new Allowlist(policy.allow());
        this.limiter = new ConnectLimiter(policy.rates());
        try {
            this.audit = policy.auditLog() == null ? AuditLog.none() : AuditLog.open(policy.auditLog());
        } catch (IOException e) {
            throw new UncheckedIOException("network.audit-log (--audit-log): cannot open " + policy.auditLog() + ": "
                    + why(e, policy.auditLog()), e);
        }
        this.proxy = new AppProxy(app, policy.rates(), limiter, audit, group, AppProxy.CONNECT_TIMEOUT, AppProxy.IDLE_TIMEOUT);
        DnsForwarder d = null;
        try {
            d = new DnsForwarder(app, policy.allow(), policy.dns(), names, audit, group);
        } catch (IllegalStateException e) {
            warn.accept("app=" + app + " DNS: " + e.getMessage() + "; names do not resolve inside the sandbox");
        }
        this.dns = d;
    }

    private static String why(IOException e, java.nio.file.Path p) {
        if (e instanceof java.nio.file.NoSuchFileException) return "its directory " + p.getParent() + " does not exist";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getMessage();
    }

    public String name() { return app; }

    /** The policy this network was made from (a launch with another one gets another network). */
    public NetworkPolicy policy() { return policy; }

    /** A new instance's share, served once the helper hands its sockets over. */
    public InstanceNetwork instance(String id) {
        live.incrementAndGet();
        return new InstanceNetwork(this, id);
    }

    /** Instances whose share is not closed yet. */
    public int liveInstances() { return live.get(); }

    /** Runs (on the closing thread) each time the last open instance share closes. */
    public void onIdle(Runnable r) { onIdle = r; }

    void instanceClosed() {
        if (live.decrementAndGet() == 0) onIdle.run();
    }

    Allowlist.Decision judge(InetAddress address, int port) {
        return allowlist.decide(address, port, names, System.currentTimeMillis());
    }

    boolean names(InetAddress address) {
        return allowlist.names(address);
    }

    ConnectLimiter limiter() { return limiter; }

    AuditLog audit() { return audit; }

    AppProxy proxy() { return proxy; }

    /** Serves an instance's DNS sockets, or closes them when there is no resolver (queries then fail at once). */
    AutoCloseable dns(String instance, Fd udp, Fd tcp) {
        if (dns == null) {
            udp.close();
            tcp.close();
            return () -> { };
        }
        return dns.attach(instance, udp.release(), tcp.release());
    }

    @Override
    public void close() {
        proxy.close();
        audit.close();
    }
}
