package io.sandboxrun.net.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Errors;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Sockets;
import io.sandboxrun.core.linux.SyscallException;
import io.sandboxrun.net.AddressRanges;
import io.sandboxrun.net.Allowlist;
import io.sandboxrun.net.audit.AuditEvent;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One redirected connection: the app's accepted socket, the dial out from the host, the relay
 * both ways, and its one ending (limiter slot released, counters, the audit {@code close} line).
 *
 * <p>What each side does reaches the other as the app would see it without a proxy: data in
 * order; a FIN becomes a shutdown of the other side's output once everything before it is
 * written (half-close: either side may go on sending); a reset, or a failed dial, becomes a reset
 * (SO_LINGER 0, then close), so the app reads ECONNRESET, not a clean end of stream. Reading from
 * one side pauses while the other side cannot take more (Netty's writability, which the shaper
 * also lowers while its queue is full), so a slow reader never makes the proxy buffer without
 * bound.
 *
 * <p>Two ways to move the bytes. With a bandwidth cap they pass the pipeline in Netty's pooled
 * direct buffers (one copy in, one out), where the shaper delays them and the relay counts them.
 * Without a cap they are spliced: socket to pipe to socket inside the kernel ({@code spliceTo}),
 * with no copy to user space. Spliced bytes never reach a handler, so on that path the counts
 * are the outbound socket's own (TCP_INFO, read as the relay ends: bytes the destination
 * acknowledged, bytes it sent), and idleness is watched by a timer of the relay's own (see
 * {@link #idleCheck}).
 *
 * <p>Confined to one thread: the dial out is made on the app channel's event loop, so both
 * channels and all of this state belong to it (splicing needs that too), and nothing here needs
 * a lock.
 */
final class Relay {
    private static final Pattern NETTY_ERRNO = Pattern.compile("error\\((-?\\d+)\\)");

    private final AppProxy proxy;
    private final InstanceProxy owner;
    private final Channel app;
    private final Destinations.Pending dest;
    private final String shown;
    private final long startNanos = System.nanoTime();
    private final boolean splice;                     // no shaper: splice once the dial succeeded
    private final List<ByteBuf> early = new ArrayList<>(); // read from the app before the dial out succeeded
    private Channel out;
    private ScheduledFuture<?> dialTimer, idleTimer;
    private long lastActive = startNanos;             // splice path: the last read on either side
    private volatile boolean spliced;                 // splicing started (read by tests)
    private boolean connected;
    private boolean ended;
    private boolean appFin, outFin;                   // a FIN was read from that side
    private boolean fromAppShut, towardsAppShut;      // that direction's FIN was passed on
    private boolean fromAppFinPassing, towardsAppFinPassing; // ... or is waiting for the bytes before it to go out
    private long bytesIn, bytesOut;

    Relay(AppProxy proxy, InstanceProxy owner, Channel app, Destinations.Pending dest) {
        this.proxy = proxy;
        this.owner = owner;
        this.app = app;
        this.dest = dest;
        this.shown = AddressRanges.text(dest.address(), dest.port());
        this.splice = proxy.shaper() == null;
        owner.traffic().opened();
    }

    /** On the app channel's loop, before it is active: the handlers, then the dial once the admission's wait is over. */
    void start() {
        ChannelPipeline p = app.pipeline();
        if (splice) {
            watchIdle(proxy.idleTimeout.toNanos());
        } else {
            p.addLast(proxy.shaper());
            // All-idle on the app's side alone is enough: every byte either way is read or written there.
            p.addLast(new IdleStateHandler(0, 0, proxy.idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
        }
        p.addLast(new Side(true));
        long wait = dest.createdNanos() + dest.delayNanos() - System.nanoTime();
        if (wait > 0) {
            dialTimer = app.eventLoop().schedule(this::dial, wait, TimeUnit.NANOSECONDS);
        } else {
            dial();
        }
    }

    /** Resets both sides from any thread; the returned future is done once the relay has ended. */
    Future<?> abort(String reason) {
        return app.eventLoop().submit(() -> reset(reason));
    }

    private void dial() {
        if (ended) return;
        SocketProtocolFamily family = dest.address() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        ChannelFuture f = new Bootstrap().group(app.eventLoop()).channelFactory(() -> new EpollSocketChannel(family))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, proxy.connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // Splicing: a failed write must leave the socket open (and its TCP_INFO readable) until the reset.
                .option(ChannelOption.AUTO_CLOSE, !splice)
                .handler(new Side(false))
                .connect(new InetSocketAddress(dest.address(), dest.port()));
        if (f.channel().isOpen()) {
            out = f.channel();
            owner.channels().add(out);
        }
        f.addListener((ChannelFuture done) -> connected(done));
    }

    private void connected(ChannelFuture done) {
        if (ended) {
            done.channel().close();
            return;
        }
        if (!done.isSuccess()) {
            reset("cannot connect to " + shown + ": " + connectFailure(done.cause()));
            return;
        }
        connected = true;
        for (ByteBuf b : early) forward(true, b);
        early.clear();
        out.flush();
        // Spliced bytes queue behind the early ones in out's outbound buffer, so the order holds.
        if (splice) {
            spliced = true;
            spliceFrom(out);
            if (!appFin) spliceFrom(app);
        }
        if (appFin) {
            passFin(true);
        } else {
            app.config().setAutoRead(true);
        }
    }

    /** Splices all that {@code from} reads to the other side, until the relay ends. */
    @SuppressWarnings("deprecation") // spliceTo: deprecated in Netty 4.2 with no replacement; epoll only
    private void spliceFrom(Channel from) {
        boolean fromApp = from == app;
        Channel to = fromApp ? out : app;
        ((AbstractEpollStreamChannel) from).spliceTo((AbstractEpollStreamChannel) to, Integer.MAX_VALUE)
                .addListener(f -> {
                    if (f.isSuccess()) return; // never: the length is unbounded
                    // A write error has shut (AUTO_CLOSE off) or closed the target before this runs; a read error leaves it.
                    boolean writeFailed = !to.isOpen() || ((DuplexChannel) to).isOutputShutdown() && !(fromApp ? fromAppShut : towardsAppShut);
                    failed(writeFailed == fromApp ? shown : "the app", f.cause());
                });
    }

    /**
     * Splice path: a FIN read from {@code fromApp}'s side is passed on once nothing of what came
     * before it is left in that socket. Netty reports the end (EPOLLRDHUP) after splicing only
     * part of what is queued, and a splice returns 0 both at the end and when the pipe is full;
     * so the socket's unread count decides. Called at the end and after each read that follows.
     */
    private void drained(boolean fromApp) {
        Channel from = fromApp ? app : out;
        if (ended || !connected || !(fromApp ? appFin : outFin) || !from.isOpen()) return;
        if (fromApp ? fromAppFinPassing : towardsAppFinPassing) {
            from.config().setAutoRead(false); // a finished splice turns reading back on: the end is always readable
            return;
        }
        if (Sockets.unread(((AbstractEpollStreamChannel) from).fd().intValue()) > 0) return;
        from.config().setAutoRead(false);
        passFin(fromApp);
    }

    private void forward(boolean fromApp, ByteBuf b) {
        int n = b.readableBytes();
        Channel to = fromApp ? out : app;
        to.write(b).addListener(w -> {
            if (w.isSuccess()) {
                counted(fromApp, n);
            } else {
                failed(fromApp ? shown : "the app", w.cause());
            }
        });
    }

    private void counted(boolean fromApp, int n) {
        if (splice) return; // the outbound socket's counters include these bytes: see tally()
        if (fromApp) {
            bytesOut += n;
            owner.traffic().bytesOut(n);
        } else {
            bytesIn += n;
            owner.traffic().bytesIn(n);
        }
    }

    /**
     * Passes a FIN on: shuts the other side's output once all that was written before it has
     * gone out (shutdownOutput would drop what still waits, in the shaper's queue or Netty's).
     */
    private void passFin(boolean fromApp) {
        if (fromApp) {
            fromAppFinPassing = true;
        } else {
            towardsAppFinPassing = true;
        }
        DuplexChannel to = (DuplexChannel) (fromApp ? out : app);
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(w -> {
            if (ended || !w.isSuccess()) return; // a failed write has reset the relay already
            to.shutdownOutput().addListener(s -> {
                if (ended) return;
                if (!s.isSuccess()) {
                    reset("cannot pass the end of stream on to " + (fromApp ? shown : "the app") + ": " + failure(s.cause()));
                    return;
                }
                if (fromApp) {
                    fromAppShut = true;
                } else {
                    towardsAppShut = true;
                }
                if (fromAppShut && towardsAppShut) close("both sides closed");
            });
        });
    }

    /** A read or write on {@code who}'s socket failed: a reset there (or anything else) resets both. */
    private void failed(String who, Throwable cause) {
        if (ended) return;
        if (cause instanceof Errors.NativeIoException n && n.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE) {
            reset(who + " reset the connection");
        } else if (cause instanceof IOException) {
            reset("the connection to " + who + " failed: " + failure(cause));
        } else {
            reset("relay error on the side of " + who + ": " + cause);
        }
    }

    /** Ends with FINs (or what is left of them): the normal end, and the idle timeout. */
    private void close(String reason) {
        if (ended) return;
        ended = true;
        tally();
        app.close();
        if (out != null) out.close();
        finish(reason);
    }

    /** Ends with resets on both sides, so neither mistakes the end for a complete stream. */
    void reset(String reason) {
        if (ended) return;
        ended = true;
        tally();
        linger0(app);
        app.close();
        if (out != null) {
            linger0(out);
            out.close();
        }
        finish(reason);
    }

    /**
     * Splice path, before the sockets close: the counts from the outbound socket's TCP_INFO,
     * which counts sequence numbers; our SYN and FIN and the destination's FIN are not bytes. In
     * state CLOSE (after a reset, or after LAST_ACK) the state no longer tells which FINs were
     * exchanged, so the relay's own view decides; a reset after our acknowledged FIN then counts
     * that FIN as one byte out.
     */
    private void tally() {
        if (!splice || !connected || out == null || !out.isOpen()) return;
        Sockets.TcpBytes t;
        try {
            t = Sockets.tcpBytes(((AbstractEpollStreamChannel) out).fd().intValue());
        } catch (SyscallException e) {
            return; // not seen on an open TCP socket; should it happen, the line says 0 rather than the slot leaking
        }
        boolean closed = t.state() == Sockets.TcpBytes.CLOSE;
        boolean finIn = t.finReceived() || closed && outFin;
        boolean finOut = t.finAcked() || closed && outFin && fromAppShut;
        bytesIn = Math.max(0, t.received() - (finIn ? 1 : 0));
        bytesOut = Math.max(0, t.acked() - 1 - (finOut ? 1 : 0));
        owner.traffic().bytesIn(bytesIn);
        owner.traffic().bytesOut(bytesOut);
    }

    /** Splice path: closes the relay once no read has happened on either side for the idle timeout. */
    private void idleCheck() {
        if (ended) return;
        long left = lastActive + proxy.idleTimeout.toNanos() - System.nanoTime();
        if (left > 0) {
            watchIdle(left);
        } else {
            close(idleReason());
        }
    }

    private void watchIdle(long nanos) {
        idleTimer = app.eventLoop().schedule(this::idleCheck, nanos, TimeUnit.NANOSECONDS);
    }

    private String idleReason() {
        return "idle for " + seconds(proxy.idleTimeout) + " (no byte either way)";
    }

    /** Whether this relay splices (set once the dial succeeded without a cap). */
    boolean spliced() {
        return spliced;
    }

    private void finish(String reason) {
        if (dialTimer != null) dialTimer.cancel(false);
        if (idleTimer != null) idleTimer.cancel(false);
        for (ByteBuf b : early) b.release();
        early.clear();
        proxy.limiter.release();
        owner.traffic().closed();
        owner.untrack(this);
        Allowlist.Decision d = dest.decision();
        proxy.audit.write(AuditEvent.close(Instant.now(), proxy.app, owner.instance(), dest.address(), dest.port(),
                d == null ? null : d.name(), d == null ? null : d.rule(), reason, bytesIn, bytesOut,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));
    }

    /** SO_LINGER 0: close(2) then sends a reset and drops what is unsent. */
    static void linger0(Channel ch) {
        if (!ch.isOpen()) return;
        try {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (ChannelException ignore) {
            // the socket went away meanwhile: there is nothing left to reset
        }
    }

    private String connectFailure(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return "no answer within " + seconds(proxy.connectTimeout) + " (connect timeout)";
        }
        return failure(t);
    }

    /** {@code ECONNREFUSED (Connection refused)} for Netty's native errors; else the exception's message. */
    private static String failure(Throwable t) {
        if (t instanceof Errors.NativeIoException n) return Errno.format(-n.expectedErr());
        if (t instanceof java.nio.channels.ClosedChannelException || t instanceof java.nio.channels.NotYetConnectedException) {
            return "it had already closed (a reset, or its own close)";
        }
        if (t.getMessage() == null) return t.getClass().getSimpleName();
        String m = t.getMessage();
        Matcher errno = NETTY_ERRNO.matcher(m); // a connect failure: "finishConnect(..) failed with error(-111): ..."
        return errno.find() ? Errno.format(Math.abs(Integer.parseInt(errno.group(1)))) : m;
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    /** The handler on one side; {@code fromApp}: it reads the app's channel and writes to the destination. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean fromApp;

        Side(boolean fromApp) {
            this.fromApp = fromApp;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ended) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf b = (ByteBuf) msg;
            if (fromApp && !connected) { // Netty reads what came with a FIN even while reading is off
                early.add(b);
                return;
            }
            forward(fromApp, b);
            if (!(fromApp ? out : app).isWritable()) ctx.channel().config().setAutoRead(false);
        }

        /** Also the splice path's sign of life: each splice in from this side ends with it. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (splice) {
                lastActive = System.nanoTime();
                drained(fromApp);
            }
            if (!ended && connected) (fromApp ? out : app).flush();
        }

        /** This side can take more again: read the other side (unless it has sent its FIN). */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (splice || ended || !connected || !ctx.channel().isWritable()) return; // splicing paces its own reads
            if (fromApp ? !outFin : !appFin) (fromApp ? out : app).config().setAutoRead(true);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (fromApp) {
                    appFin = true;
                } else {
                    outFin = true;
                }
                if (splice) {
                    drained(fromApp);
                } else if (!ended && connected) {
                    passFin(fromApp);
                }
            } else if (evt instanceof IdleStateEvent) {
                close(idleReason());
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(fromApp ? "the app" : shown, cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!ended) reset((fromApp ? "the app's" : shown + "'s") + " socket closed unexpectedly");
            ctx.fireChannelInactive();
        }
    }
}
