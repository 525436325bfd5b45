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
 * <p>Confined to one thread: the dial out is made on the app channel's event loop, so both
 * channels and all of this state belong to it, and nothing here needs a lock.
 */
final class Relay {
    private static final Pattern NETTY_ERRNO = Pattern.compile("error\\((-?\\d+)\\)");

    private final AppProxy proxy;
    private final InstanceProxy owner;
    private final Channel app;
    private final Destinations.Pending dest;
    private final String shown;
    private final long startNanos = System.nanoTime();
    private final List<ByteBuf> early = new ArrayList<>(); // read from the app before the dial out succeeded
    private Channel out;
    private ScheduledFuture<?> dialTimer;
    private boolean connected;
    private boolean ended;
    private boolean appFin, outFin;                   // a FIN was read from that side
    private boolean fromAppShut, towardsAppShut;      // that direction's FIN was passed on
    private long bytesIn, bytesOut;

    Relay(AppProxy proxy, InstanceProxy owner, Channel app, Destinations.Pending dest) {
        this.proxy = proxy;
        this.owner = owner;
        this.app = app;
        this.dest = dest;
        this.shown = AddressRanges.text(dest.address(), dest.port());
        owner.traffic().opened();
    }

    /** On the app channel's loop, before it is active: the handlers, then the dial once the admission's wait is over. */
    void start() {
        ChannelPipeline p = app.pipeline();
        if (proxy.shaper() != null) p.addLast(proxy.shaper());
        // All-idle on the app's side alone is enough: every byte either way is read or written there.
        p.addLast(new IdleStateHandler(0, 0, proxy.idleTimeout.toNanos(), TimeUnit.NANOSECONDS), new Side(true));
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
        if (appFin) {
            passFin(true);
        } else {
            app.config().setAutoRead(true);
        }
    }

    private void forward(boolean fromApp, ByteBuf b) {
        int n = b.readableBytes();
        Channel to = fromApp ? out : app;
        EpollRegistrationRepair.beforeWrite(to);
        to.write(b).addListener(w -> {
            if (w.isSuccess()) {
                counted(fromApp, n);
            } else {
                failed(fromApp ? shown : "the app", w.cause());
            }
        });
    }

    private void counted(boolean fromApp, int n) {
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
        DuplexChannel to = (DuplexChannel) (fromApp ? out : app);
        EpollRegistrationRepair.beforeWrite(to);
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
        app.close();
        if (out != null) out.close();
        finish(reason);
    }

    /** Ends with resets on both sides, so neither mistakes the end for a complete stream. */
    void reset(String reason) {
        if (ended) return;
        ended = true;
        linger0(app);
        app.close();
        if (out != null) {
            linger0(out);
            out.close();
        }
        finish(reason);
    }

    private void finish(String reason) {
        if (dialTimer != null) dialTimer.cancel(false);
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

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!ended && connected) (fromApp ? out : app).flush();
        }

        /** This side can take more again: read the other side (unless it has sent its FIN). */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ended || !connected || !ctx.channel().isWritable()) return;
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
                if (!ended && connected) passFin(fromApp);
            } else if (evt instanceof IdleStateEvent) {
                close("idle for " + seconds(proxy.idleTimeout) + " (no byte either way)");
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
