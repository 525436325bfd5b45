package io.sandboxrun.core.linux;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * {@code struct sockaddr_in} / {@code sockaddr_in6} to and from bytes (Linux layout): what a
 * notified connect() points at, and what bind/connect/getsockname take. Pure, so the parsing of
 * bytes a sandboxed app controls is unit-tested on its own.
 *
 * @param family {@code sa_family}: {@link #AF_INET}, {@link #AF_INET6}, {@link #AF_UNIX}, or any other
 * @param inet   the address and port for AF_INET/AF_INET6; empty otherwise
 */
public record SockAddr(int family, Optional<InetSocketAddress> inet) {
    public static final int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public static final int IN_SIZE = 16, IN6_SIZE = 28;

    /**
     * Decodes what the app passed: {@code bytes} is the copy of {@code addrlen} bytes. A family
     * the kernel would read with too few bytes is returned without an address (the kernel
     * fails such a call with EINVAL itself).
     */
    public static SockAddr decode(byte[] bytes) {
        if (bytes.length < 2) return new SockAddr(AF_UNSPEC, Optional.empty());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int family = b.getShort(0) & 0xffff;
        try {
            if (family == AF_INET && bytes.length >= IN_SIZE) {
                byte[] ip = new byte[4];
                System.arraycopy(bytes, 4, ip, 0, 4);
                return new SockAddr(family, Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port(bytes))));
            }
            if (family == AF_INET6 && bytes.length >= IN6_SIZE) {
                byte[] ip = new byte[16];
                System.arraycopy(bytes, 8, ip, 0, 16);
                int scope = b.getInt(24);
                // getByAddress would turn a v4-mapped address into an Inet4Address: keep the v6 form.
                InetAddress a = Inet6Address.getByAddress(null, ip, scope == 0 ? -1 : scope);
                return new SockAddr(family, Optional.of(new InetSocketAddress(a, port(bytes))));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always valid", e);
        }
        return new SockAddr(family, Optional.empty());
    }

    /** The bytes of {@code a}: sockaddr_in for an IPv4 address, sockaddr_in6 for IPv6 (v4-mapped kept). */
    public static byte[] encode(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        boolean v4 = ip instanceof Inet4Address;
        ByteBuffer b = ByteBuffer.allocate(v4 ? IN_SIZE : IN6_SIZE).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) (v4 ? AF_INET : AF_INET6));
        b.put(2, (byte) (a.getPort() >> 8));
        b.put(3, (byte) a.getPort());
        if (v4) {
            b.put(4, ip.getAddress());
        } else {
            b.put(8, ip.getAddress());
            b.putInt(24, Math.max(0, ((Inet6Address) ip).getScopeId()));
        }
        return b.array();
    }

    /** sin_port / sin6_port: network byte order at offset 2 in both layouts. */
    private static int port(byte[] bytes) {
        return ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    }
}
