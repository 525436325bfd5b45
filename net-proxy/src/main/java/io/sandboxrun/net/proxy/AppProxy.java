package io.sandboxrun.net.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.traffic.AbstractTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.net.HandedFd;
import io.sandboxrun.net.audit.AuditLog;
import java.time.Duration;

/**
 * The socket proxy of one app (DESIGN.md "The socket proxy", point 3): serves each instance's
 * proxy listener from the host side, dials the original destination of every connection the
 * launcher redirected there, and relays both ways (see {@link Relay}).
 *
 * <p>Everything per app is here and shared by its instances: the {@link ConnectLimiter} slots
 * and one {@link GlobalTrafficShapingHandler}, put on every app-side channel, so that
 * {@code bandwidth-in} and {@code bandwidth-out} cap the app as a whole. The shaper delays
 * (reads pause, writes wait in its queue), it never drops. No thread of its own: all runs on the
 * event loop group it is given.
 *
 * <p>No splice: Netty 4.2's epoll channels still offer {@code spliceTo}, but spliced bytes go
 * from socket to pipe to socket inside the kernel and never pass the pipeline, so the shaper could
 * not cap them and the relay could not count them for the audit line. The relay moves data in
 * Netty's default allocator's buffers (pooled, direct: one copy in and one out, no heap copy).
 */
public final class AppProxy implements AutoCloseable {
    /** How long a dial out may take: a host that does not answer at all (a SYN into a black hole). */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A connection with no byte either way this long is closed. Long enough for long polls and
     * idle pooled HTTP connections (servers drop those after a minute or so themselves), short
     * enough that a forgotten socket does not hold a concurrency slot for the whole run.
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(15);
    /**
     * The shaper's accounting period in ms: Netty's default. Measured with AppProxyTest's 6 MiB
     * at 2 MiB/s each way, whatever the phase of the period at the start, transfers kept within
     * 7% of the cap at 1 s, and no closer at 250 or 100 ms; so the cheaper timer stays.
     */
    static final long SHAPING_PERIOD_MILLIS = AbstractTrafficShapingHandler.DEFAULT_CHECK_INTERVAL;
    /**
     * Bytes a shaped channel may have waiting in the shaper before it reports itself unwritable
     * (and the relay stops reading from the other side). Netty's 4 MiB default times
     * {@code concurrent} connections would be a lot of memory held for a slow app.
     */
    static final long SHAPING_QUEUE_BYTES = 256 << 10;

    final String app;
    final ConnectLimiter limiter;
    final AuditLog audit;
    final Duration connectTimeout;
    final Duration idleTimeout;
    private final EventLoopGroup group;
    private final GlobalTrafficShapingHandler shaper; // null: both directions unlimited

    /**
     * @param app            the app label written in audit lines
     * @param rates          the app's limits; only the bandwidth caps are read here (0: unlimited)
     * @param limiter        the app's admission, whose slots the proxy releases as connections end
     * @param audit          where the close lines (and the direct-connection denials) go
     * @param group          an epoll event loop group ({@code EpollIoHandler})
     * @param connectTimeout {@link #CONNECT_TIMEOUT} outside tests
     * @param idleTimeout    {@link #IDLE_TIMEOUT} outside tests
     */
    public AppProxy(String app, NetworkPolicy.Rates rates, ConnectLimiter limiter, AuditLog audit, EventLoopGroup group,
                    Duration connectTimeout, Duration idleTimeout) {
        this.app = app;
        this.limiter = limiter;
        this.audit = audit;
        this.group = group;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        if (rates.bytesPerSecondIn() == 0 && rates.bytesPerSecondOut() == 0) {
            this.shaper = null;
        } else {
            // On the app's side of each connection: writes go towards the app, reads come from it.
            this.shaper = new GlobalTrafficShapingHandler(group.next(), rates.bytesPerSecondIn(), rates.bytesPerSecondOut(),
                    SHAPING_PERIOD_MILLIS);
            shaper.setMaxWriteSize(SHAPING_QUEUE_BYTES);
        }
    }

    /**
     * Serves one instance's proxy listener: {@code listenFd} a listening TCP socket (127.0.0.1 or
     * ::1, in the instance's network namespace), non-blocking (the event loop must never block on
     * it). Takes ownership of the descriptor: it is closed by the returned handle, or at once when
     * this fails.
     *
     * @param table   where the launcher records the redirected connections' destinations
     * @param traffic the instance's counters; the proxy adds bytes and open connections
     * @return closes the listener and resets every open connection of the instance (their slots
     *         are released and their close lines written before close() returns)
     * @throws IllegalArgumentException when the descriptor is not open or is in blocking mode
     */
    public InstanceProxy attach(String instance, int listenFd, Destinations table, InstanceTraffic traffic) {
        EpollServerSocketChannel listener;
        try {
            HandedFd.requireNonBlocking("listenFd", listenFd);
            listener = new EpollServerSocketChannel(listenFd);
        } catch (RuntimeException e) {
            HandedFd.closeQuietly(listenFd);
            throw e;
        }
        return InstanceProxy.serve(this, instance, listener, table, traffic, group);
    }

    /** The app-wide shaper for a new app-side channel, or null when there is no cap. */
    ChannelHandler shaper() {
        return shaper;
    }

    /** Stops the shaper's accounting timer. Close the instances' handles first. */
    @Override
    public void close() {
        if (shaper != null) shaper.release();
    }
}
