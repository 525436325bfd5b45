package io.sandboxrun.net.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.Promise;
import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.net.AddressRanges;
import io.sandboxrun.net.HandedFd;
import io.sandboxrun.net.NameAllowances;
import io.sandboxrun.net.audit.AuditEvent;
import io.sandboxrun.net.audit.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The resolver an app sees at 127.0.0.1:53 (DESIGN.md "The socket proxy", points 1 and 4): it
 * answers only names some host rule matches (or every name with {@code dns.any-name}) by asking
 * the upstream resolvers from the host, and records each A/AAAA answer in {@link NameAllowances}
 * so that the app may connect to those addresses for their TTL. Other names get REFUSED without
 * any upstream traffic: a query name is data, and an open resolver would let an app leak it.
 * Every query is one {@code dns} line in the audit log.
 *
 * <p>One forwarder per app, serving each instance's sockets ({@link #attach}); all of them run on
 * the event loop group it is given (no thread of its own, none per instance).
 *
 * <p>Upstream: each try is a fresh socket from the host (a random source port, and a connected
 * socket only hears from the server it asked) with a fresh random id; the resolvers are tried in
 * order, {@link #TRY_TIMEOUT} each, and when none answers the app gets SERVFAIL. A query over UDP
 * goes upstream over UDP with the app's EDNS payload size, so a too-large answer comes back
 * truncated (TC) as the upstream made it and the app retries over TCP, which goes upstream over
 * TCP. An upstream answer (SERVFAIL and NXDOMAIN included) is final and passed to the app byte for
 * byte, with the app's id.
 */
public final class DnsForwarder {
    /** How long one upstream resolver gets to answer. */
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(2);
    /** Queries of one app waiting for upstream at once; beyond: SERVFAIL (a flood must not open sockets without end). */
    public static final int MAX_IN_FLIGHT = 256;
    /** An idle TCP connection from the app is closed after this long. */
    public static final Duration TCP_IDLE = Duration.ofSeconds(30);
    private static final int DNS_PORT = 53;
    private static final int EDNS_MIN = 512, EDNS_MAX = 4096;
    private static final System.Logger LOG = System.getLogger(DnsForwarder.class.getName());

    private final String app;
    private final List<NetRule.Host> hostRules;
    private final boolean anyName;
    private final List<InetSocketAddress> upstream;
    private final NameAllowances names;
    private final AuditLog audit;
    private final EventLoopGroup group;
    private final Clock clock;
    private final Duration tryTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param app      the app label written in audit lines
     * @param rules    the app's allow rules (only the host rules matter here)
     * @param dns      upstream resolvers (empty: the host's, from /etc/resolv.conf) and any-name
     * @param names    the app's allowances, shared with its proxy
     * @param audit    where the dns lines go
     * @param group    an epoll event loop group ({@code EpollIoHandler})
     * @throws IllegalStateException when there is no upstream resolver (none given, and none in
     *                               /etc/resolv.conf)
     */
    public DnsForwarder(String app, List<NetRule> rules, NetworkPolicy.Dns dns, NameAllowances names, AuditLog audit,
                        EventLoopGroup group) {
        this(app, rules, dns, names, audit, group, Clock.systemUTC(), TRY_TIMEOUT, Path.of("/etc/resolv.conf"));
    }

    DnsForwarder(String app, List<NetRule> rules, NetworkPolicy.Dns dns, NameAllowances names, AuditLog audit,
                 EventLoopGroup group, Clock clock, Duration tryTimeout, Path resolvConf) {
        this.app = app;
        this.hostRules = rules.stream().filter(r -> r instanceof NetRule.Host).map(r -> (NetRule.Host) r).toList();
        this.anyName = dns.anyName();
        this.upstream = dns.upstream().isEmpty() ? hostResolvers(resolvConf) : dns.upstream();
        this.names = names;
        this.audit = audit;
        this.group = group;
        this.clock = clock;
        this.tryTimeout = tryTimeout;
    }

    /** The resolvers queries go to, in the order they are tried. */
    public List<InetSocketAddress> upstream() {
        return upstream;
    }

    /**
     * Serves one instance's DNS sockets: {@code udpFd} a UDP socket bound to 127.0.0.1:53 and
     * {@code tcpFd} a listening TCP socket on 127.0.0.1:53, both in the instance's network
     * namespace and both non-blocking (the event loop must never block on them). Takes ownership
     * of both descriptors: they are closed by the returned handle, or at once when this fails.
     *
     * @return closes both sockets and the app's open TCP connections to them
     * @throws IllegalArgumentException when a descriptor is not open or is in blocking mode
     */
    public AutoCloseable attach(String instance, int udpFd, int tcpFd) {
        List<Channel> made = new ArrayList<>();
        try {
            HandedFd.requireNonBlocking("udpFd", udpFd);
            HandedFd.requireNonBlocking("tcpFd", tcpFd);
            EpollDatagramChannel udp = new EpollDatagramChannel(udpFd);
            made.add(udp);
            EpollServerSocketChannel tcp = new EpollServerSocketChannel(tcpFd);
            made.add(tcp);
            EventLoop loop = group.next();
            ChannelGroup open = new DefaultChannelGroup("dns-" + app + "-" + instance, loop);
            // Bootstraps with a factory that hands out the existing channel: the usual way to serve
            // a socket Netty did not create (registering it is all they do here).
            new Bootstrap().group(loop).channelFactory(() -> udp).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new UdpQueries(instance));
                }
            }).register().addListener(r -> registered(r, udp, instance));
            new ServerBootstrap().group(loop, group).channelFactory(() -> tcp).childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    open.add(ch);
                    ch.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE.toMillis(), TimeUnit.MILLISECONDS),
                            new TcpDnsQueryDecoder(), new TcpQueries(instance));
                }
            }).register().addListener(r -> registered(r, tcp, instance));
            open.add(udp);
            open.add(tcp);
            // Neither waited for (each would cost the launch a wake-up of the event loop): queries
            // that come before registration wait in the socket; closing goes on after the return.
            return open::close;
        } catch (RuntimeException e) {
            for (Channel c : made) c.close();
            if (made.size() < 1) HandedFd.closeQuietly(udpFd);
            if (made.size() < 2) HandedFd.closeQuietly(tcpFd);
            throw e;
        }
    }

    private void registered(io.netty.util.concurrent.Future<?> r, Channel ch, String instance) {
        if (r.isSuccess()) return;
        LOG.log(System.Logger.Level.ERROR, "app=" + app + " instance=" + instance + " cannot serve DNS on " + ch + ": "
                + r.cause());
        ch.close();
    }

    /** The {@code nameserver} addresses of a resolv.conf text, port 53, in order. */
    static List<InetSocketAddress> parseResolvConf(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.trim().split("[ \t]+");
            if (w.length < 2 || !w[0].equals("nameserver")) continue;
            String addr = w[1];
            int scope = addr.indexOf('%'); // fe80::1%eth0: the scope is the host's, useless from the proxy's view
            if (scope >= 0) addr = addr.substring(0, scope);
            try {
                if (addr.indexOf(':') < 0 && !addr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) continue;
                out.add(new InetSocketAddress(InetAddress.getByName(addr), DNS_PORT)); // a literal: no lookup
            } catch (IOException e) {
                // not an address literal: skipped, as the C library does
            }
        }
        return List.copyOf(out);
    }

    private static List<InetSocketAddress> hostResolvers(Path resolvConf) {
        String text;
        try {
            text = Files.readString(resolvConf);
        } catch (NoSuchFileException e) {
            text = "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resolvConf + " for the upstream DNS resolvers", e);
        }
        List<InetSocketAddress> found = parseResolvConf(text);
        if (found.isEmpty()) {
            throw new IllegalStateException("no upstream DNS resolver: the policy names none (dns.upstream) and "
                    + resolvConf + " has no nameserver line");
        }
        return found;
    }

    /** What a query comes to: the answer to send and the audit line. */
    private record Outcome(ByteBuf reply, AuditEvent event) {}

    /**
     * Handles one query: gives {@code reply} the answer (with the app's id), on {@code loop}, now
     * or once upstream answered. Reads {@code query} only before returning (its owner releases it).
     */
    private void handle(String instance, DnsQuery query, boolean overTcp, EventLoop loop, Consumer<ByteBuf> reply) {
        DnsQuestion q = query.count(DnsSection.QUESTION) == 1 ? query.recordAt(DnsSection.QUESTION) : null;
        int id = query.id();
        boolean rd = query.isRecursionDesired();
        int opcode = query.opCode().byteValue();
        String name = q == null ? null : DnsWire.name(q.name());
        try {
            if (query.opCode() != DnsOpCode.QUERY) {
                refuse(instance, reply, id, opcode, rd, q, name, DnsResponseCode.NOTIMP,
                        "opcode " + opcode + " is not served, only QUERY (NOTIMP)");
                return;
            }
            if (q == null) {
                refuse(instance, reply, id, opcode, rd, null, null, DnsResponseCode.FORMERR,
                        query.count(DnsSection.QUESTION) + " questions in one query (FORMERR)");
                return;
            }
            String type = q.type().name();
            if (q.dnsClass() != 1) {
                refuse(instance, reply, id, opcode, rd, q, name, DnsResponseCode.REFUSED,
                        type + " " + name + ": class " + q.dnsClass() + " is not forwarded, only IN (REFUSED)");
                return;
            }
            List<NetRule.Host> matching = hostRules.stream().filter(r -> r.matches(name)).toList();
            String rule = matching.isEmpty() ? null : matching.stream().map(NetRule::text).collect(Collectors.joining(", "));
            if (matching.isEmpty() && !anyName) {
                refuse(instance, reply, id, opcode, rd, q, name, DnsResponseCode.REFUSED,
                        type + " " + name + ": no host rule matches it; REFUSED, nothing sent upstream");
                return;
            }
            if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
                inFlight.decrementAndGet();
                servfail(instance, reply, id, opcode, rd, q, name, rule,
                        type + " " + name + ": more than " + MAX_IN_FLIGHT + " queries of the app wait for upstream (SERVFAIL)");
                return;
            }
            int upstreamId = ThreadLocalRandom.current().nextInt(0x10000);
            ByteBuf out = DnsWire.query(ByteBufAllocator.DEFAULT, upstreamId, q, rd, overTcp ? 0 : ednsPayload(query));
            Promise<ByteBuf> answered = loop.newPromise();
            ask(loop, out, overTcp, 0, upstreamId, q, answered, new ArrayList<>());
            answered.addListener(f -> {
                inFlight.decrementAndGet();
                String via = matching.isEmpty() ? "any-name is on (no host rule matches it, so no address is allowed)"
                        : "matches " + rule;
                if (!f.isSuccess()) {
                    servfail(instance, reply, id, opcode, rd, q, name, rule,
                            type + " " + name + ": " + via + "; " + f.cause().getMessage() + " (SERVFAIL)");
                    return;
                }
                ByteBuf answer = (ByteBuf) f.getNow();
                DnsWire.Answer a = DnsWire.read(answer, upstreamId, q);
                long now = clock.millis();
                List<String> ips = new ArrayList<>();
                for (DnsWire.Address addr : a.addresses()) {
                    for (NetRule.Host r : matching) names.record(r, name, addr.ip(), addr.ttl(), now);
                    ips.add(AddressRanges.text(addr.ip()));
                }
                String detail = type + " " + name + ": " + via + "; forwarded, upstream answered " + rcodeName(a.rcode())
                        + (a.truncated() ? " truncated" : "") + " with " + a.addresses().size() + " address"
                        + (a.addresses().size() == 1 ? "" : "es")
                        + (matching.isEmpty() || a.addresses().isEmpty() ? "" : " allowed for their TTL");
                audit.write(AuditEvent.dns(clock.instant(), app, instance, name, rule, true, detail,
                        matching.isEmpty() ? List.of() : ips));
                reply.accept(DnsWire.withId(answer, id));
            });
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + instance + " dns query failed: " + e);
        }
    }

    private static String rcodeName(int rcode) {
        return switch (rcode) {
            case 0 -> "NOERROR";
            case 1 -> "FORMERR";
            case 2 -> "SERVFAIL";
            case 3 -> "NXDOMAIN";
            case 4 -> "NOTIMP";
            case 5 -> "REFUSED";
            default -> "rcode " + rcode;
        };
    }

    /** The app's EDNS UDP payload size, within 512..4096; 0 when it sent no OPT record. */
    private static int ednsPayload(DnsQuery query) {
        for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
            DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
            if (r.type() == DnsRecordType.OPT) return Math.max(EDNS_MIN, Math.min(EDNS_MAX, r.dnsClass()));
        }
        return 0;
    }

    private void refuse(String instance, Consumer<ByteBuf> reply, int id, int opcode, boolean rd,
                        DnsQuestion q, String name, DnsResponseCode rcode, String reason) throws Exception {
        audit.write(AuditEvent.dns(clock.instant(), app, instance, name, null, false, reason, List.of()));
        reply.accept(DnsWire.error(ByteBufAllocator.DEFAULT, id, opcode, rd, q, rcode));
    }

    private void servfail(String instance, Consumer<ByteBuf> reply, int id, int opcode, boolean rd, DnsQuestion q,
                          String name, String rule, String reason) {
        audit.write(AuditEvent.dns(clock.instant(), app, instance, name, rule, true, reason, List.of()));
        try {
            reply.accept(DnsWire.error(ByteBufAllocator.DEFAULT, id, opcode, rd, q, DnsResponseCode.SERVFAIL));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "app=" + app + " instance=" + instance + " cannot encode SERVFAIL: " + e);
        }
    }

    /**
     * Tries upstream {@code i} and, when it fails, the next; completes {@code answered} with the
     * first answer to {@code q}, or fails naming each resolver's failure. Owns {@code query}.
     */
    private void ask(EventLoop loop, ByteBuf query, boolean overTcp, int i, int id, DnsQuestion q,
                     Promise<ByteBuf> answered, List<String> failures) {
        if (i == upstream.size()) {
            query.release();
            answered.setFailure(new IOException("no upstream answered: " + String.join("; ", failures)));
            return;
        }
        InetSocketAddress server = upstream.get(i);
        String shown = AddressRanges.text(server.getAddress(), server.getPort());
        Promise<ByteBuf> one = loop.newPromise();
        Channel[] channel = new Channel[1];
        var timeout = loop.schedule(() -> one.tryFailure(new IOException(shown + " timed out after "
                + tryTimeout.toMillis() / 1000.0 + " s")), tryTimeout.toMillis(), TimeUnit.MILLISECONDS);
        one.addListener(f -> {
            timeout.cancel(false);
            if (channel[0] != null) channel[0].close();
            if (f.isSuccess()) {
                query.release();
                answered.setSuccess((ByteBuf) f.getNow());
            } else {
                failures.add(f.cause().getMessage());
                ask(loop, query, overTcp, i + 1, id, q, answered, failures);
            }
        });
        SocketProtocolFamily family = server.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        ChannelFuture connect;
        if (overTcp) {
            connect = new Bootstrap().group(loop).channelFactory(() -> new EpollSocketChannel(family))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) tryTimeout.toMillis())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xffff, 0, 2, 0, 2),
                                    new UpstreamAnswer(one, id, q, shown));
                        }
                    }).connect(server);
        } else {
            connect = new Bootstrap().group(loop).channelFactory(() -> new EpollDatagramChannel(family))
                    .handler(new UpstreamAnswer(one, id, q, shown)).connect(server);
        }
        channel[0] = connect.channel();
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                one.tryFailure(new IOException(shown + ": " + f.cause().getMessage()));
                return;
            }
            ByteBuf copy = query.retainedDuplicate();
            Object msg = overTcp ? f.channel().alloc().buffer(2).writeShort(copy.readableBytes()) : null;
            if (msg != null) f.channel().write(msg);
            f.channel().writeAndFlush(copy).addListener(w -> {
                if (!w.isSuccess()) one.tryFailure(new IOException(shown + ": " + w.cause().getMessage()));
            });
        });
        if (channel[0] != null && one.isDone()) channel[0].close();
    }

    /** Reads the first message on an upstream socket that answers {@code q}; ignores others. */
    private static final class UpstreamAnswer extends SimpleChannelInboundHandler<Object> {
        private final Promise<ByteBuf> one;
        private final int id;
        private final DnsQuestion q;
        private final String shown;

        UpstreamAnswer(Promise<ByteBuf> one, int id, DnsQuestion q, String shown) {
            this.one = one;
            this.id = id;
            this.q = q;
            this.shown = shown;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
            if (DnsWire.read(b, id, q) == null) return; // not an answer to this query: keep waiting
            ByteBuf copy = b.copy();
            if (!one.trySuccess(copy)) copy.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            one.tryFailure(new IOException(shown + " closed the connection without an answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            one.tryFailure(new IOException(shown + ": " + cause.getMessage()));
        }
    }

    /** Queries arriving on an instance's UDP socket. */
    private final class UdpQueries extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        private final String instance;

        UdpQueries(String instance) {
            this.instance = instance;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            InetSocketAddress sender = query.sender();
            Channel ch = ctx.channel();
            handle(instance, query, false, ch.eventLoop(), b -> ch.writeAndFlush(new DatagramPacket(b, sender)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A malformed datagram: dropped, as a resolver does; the socket keeps serving.
            LOG.log(System.Logger.Level.DEBUG, "app=" + app + " instance=" + instance + " dns: dropped a malformed query: " + cause);
        }
    }

    /** Queries on one TCP connection from an instance; answers may go out of order (RFC 7766 7). */
    private final class TcpQueries extends SimpleChannelInboundHandler<DnsQuery> {
        private final String instance;

        TcpQueries(String instance) {
            this.instance = instance;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
            Channel ch = ctx.channel();
            handle(instance, query, true, ch.eventLoop(), b -> {
                ch.write(ch.alloc().buffer(2).writeShort(b.readableBytes()));
                ch.writeAndFlush(b);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, "app=" + app + " instance=" + instance + " dns over tcp: closing: " + cause);
            ctx.close();
        }
    }
}
