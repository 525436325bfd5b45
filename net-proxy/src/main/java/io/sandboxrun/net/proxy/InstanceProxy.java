package io.sandboxrun.net.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sandboxrun.net.audit.AuditEvent;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The proxy of one instance: its listener, and the connections relayed for it. Closing it ends
 * them all, so that an instance that exits leaves no socket and no limiter slot behind.
 */
public final class InstanceProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InstanceProxy.class.getName());

    static final String NOT_REDIRECTED = "not redirected by the launcher (a direct connection to the proxy port)";
    static final String DETACHED = "the instance's proxy was closed (the instance ended)";

    private final AppProxy proxy;
    private final String instance;
    private final Destinations table;
    private final InstanceTraffic traffic;
    private final EpollServerSocketChannel listener;
    private final ChannelGroup channels;
    private final Set<Relay> relays = new HashSet<>(); // guarded by this
    private boolean closed;                             // guarded by this

    private InstanceProxy(AppProxy proxy, String instance, EpollServerSocketChannel listener, Destinations table,
                          InstanceTraffic traffic) {
        this.proxy = proxy;
        this.instance = instance;
        this.listener = listener;
        this.table = table;
        this.traffic = traffic;
        this.channels = new DefaultChannelGroup("proxy-" + proxy.app + "-" + instance, GlobalEventExecutor.INSTANCE);
    }

    static InstanceProxy serve(AppProxy proxy, String instance, EpollServerSocketChannel listener, Destinations table,
                               InstanceTraffic traffic, EventLoopGroup group) {
        InstanceProxy p = new InstanceProxy(proxy, instance, listener, table, traffic);
        try {
            // A factory that hands out the existing channel: registering is all this bootstrap does.
            new ServerBootstrap().group(group.next(), group).channelFactory(() -> listener)
                    .childOption(ChannelOption.AUTO_READ, false) // nothing is read before the dial out succeeded
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            p.accepted(ch);
                        }
                    }).register().addListener(r -> {
                        // Not waited for: a connection that comes first waits in the kernel's backlog.
                        if (!r.isSuccess()) {
                            LOG.log(System.Logger.Level.ERROR, "app=" + proxy.app + " instance=" + instance
                                    + " cannot serve the proxy listener: " + r.cause());
                            listener.close();
                        }
                    });
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        p.channels.add(listener);
        return p;
    }

    /** On the accepted channel's event loop. */
    private void accepted(SocketChannel ch) {
        channels.add(ch);
        Optional<Destinations.Pending> dest = table.take(ch.remoteAddress());
        if (dest.isEmpty()) {
            // Not an entry the launcher made: something in the sandbox found the listener's port.
            Relay.linger0(ch);
            ch.close();
            InetSocketAddress at = ch.localAddress();
            proxy.audit.write(AuditEvent.connect(Instant.now(), proxy.app, instance, at.getAddress(), at.getPort(),
                    null, null, AuditEvent.DENY, NOT_REDIRECTED));
            traffic.denied();
            return;
        }
        Relay r = new Relay(proxy, this, ch, dest.get());
        if (track(r)) {
            r.start();
        } else {
            r.reset(DETACHED);
        }
    }

    String instance() {
        return instance;
    }

    InstanceTraffic traffic() {
        return traffic;
    }

    ChannelGroup channels() {
        return channels;
    }

    private synchronized boolean track(Relay r) {
        if (closed) return false;
        relays.add(r);
        return true;
    }

    synchronized void untrack(Relay r) {
        relays.remove(r);
    }

    /** Relayed connections not yet ended. */
    public synchronized int open() {
        return relays.size();
    }

    /** Netty channels of this instance still open: the listener, and each relay's one or two sockets. */
    int openChannels() {
        return channels.size();
    }

    /**
     * Closes the listener and resets every connection of the instance; returns once their slots
     * are released and their close lines written. With no connection open it only starts closing
     * the listener and returns at once (the common end of an instance: a wait for the event loop
     * there costs every launch a cross-thread wake-up). Blocks otherwise: not for an event loop
     * thread.
     */
    @Override
    public void close() {
        List<Relay> ending;
        synchronized (this) {
            if (closed) return;
            closed = true; // from here on, a connection accepted late is reset in accepted()
            ending = new ArrayList<>(relays);
        }
        if (ending.isEmpty()) {
            channels.close();
            return;
        }
        listener.close().syncUninterruptibly();
        List<Future<?>> done = new ArrayList<>();
        for (Relay r : ending) done.add(r.abort(DETACHED));
        for (Future<?> f : done) f.syncUninterruptibly();
        channels.close().syncUninterruptibly();
    }
}
