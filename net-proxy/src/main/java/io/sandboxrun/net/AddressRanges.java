package io.sandboxrun.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The special address ranges the proxy never reaches through a wildcard (DESIGN.md "The socket
 * proxy", point 4), and the unwrapping of IPv6 forms that carry an IPv4 address.
 */
public final class AddressRanges {
    /** What a range is; {@link #word()} is the name used in reasons and audit lines. */
    public enum Kind {
        THIS_HOST, LOOPBACK, LINK_LOCAL, PRIVATE, MULTICAST, BROADCAST, PUBLIC;

        /** {@code this-host}, {@code link-local}, ... */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Multicast and broadcast: no TCP connection can go there, whatever the rules say. */
        public boolean neverTcp() {
            return this == MULTICAST || this == BROADCAST;
        }
    }

    /**
     * One range of {@link #SPECIAL}.
     *
     * @param note what the range is besides its kind ({@code CGNAT}), or null
     */
    public record Range(Kind kind, Cidr cidr, String note) {}

    /** Where an address falls: its range (null for {@link Kind#PUBLIC}) and a note on the address itself. */
    public record Place(Kind kind, Range range, String note) {
        /** {@code link-local (cloud metadata)}, {@code private (CGNAT)}, {@code public}. */
        public String words() {
            return note == null ? kind.word() : kind.word() + " (" + note + ")";
        }
    }

    // Before SPECIAL: parsing its /128 entries unwraps, which needs these.
    // Built from bytes: InetAddress turns a ::ffff:0:0/96 literal into an Inet4Address itself.
    private static final Cidr MAPPED = new Cidr(mappedPrefix(), 96);
    private static final Cidr COMPAT = new Cidr(literal("::"), 96);
    private static final Cidr NAT64 = new Cidr(literal("64:ff9b::"), 96);

    /** The special ranges, most specific first where they overlap (0.0.0.0/8 before ::/96 forms). */
    public static final List<Range> SPECIAL = List.of(
            range(Kind.THIS_HOST, "0.0.0.0/8", null),
            range(Kind.THIS_HOST, "::/128", null),
            range(Kind.LOOPBACK, "127.0.0.0/8", null),
            range(Kind.LOOPBACK, "::1/128", null),
            range(Kind.LINK_LOCAL, "169.254.0.0/16", null),
            range(Kind.LINK_LOCAL, "fe80::/10", null),
            range(Kind.PRIVATE, "10.0.0.0/8", null),
            range(Kind.PRIVATE, "172.16.0.0/12", null),
            range(Kind.PRIVATE, "192.168.0.0/16", null),
            range(Kind.PRIVATE, "100.64.0.0/10", "CGNAT"),
            range(Kind.PRIVATE, "fc00::/7", "unique local"),
            range(Kind.BROADCAST, "255.255.255.255/32", null),
            range(Kind.MULTICAST, "224.0.0.0/4", null),
            range(Kind.MULTICAST, "ff00::/8", null));

    /** Well-known single addresses worth naming in a reason: the clouds' instance metadata services. */
    private static final Map<InetAddress, String> NOTES = Map.of(
            literal("169.254.169.254"), "cloud metadata",
            literal("fd00:ec2::254"), "cloud metadata",
            literal("100.100.100.200"), "cloud metadata");

    /**
     * The IPv4 address an IPv6 address stands for: v4-mapped {@code ::ffff:a.b.c.d}, the
     * deprecated v4-compatible {@code ::a.b.c.d} (but not {@code ::} and {@code ::1}, which are
     * IPv6's own this-host and loopback) and NAT64 {@code 64:ff9b::a.b.c.d}; any other address is
     * returned as it is. A connect() to any of these forms can reach the IPv4 host (through the
     * kernel's dual stack or a NAT64 gateway), so it must be judged as that host.
     */
    public static InetAddress unwrap(InetAddress address) {
        if (!(address instanceof Inet6Address)) return address;
        byte[] b = address.getAddress();
        boolean compat = COMPAT.contains(address) && !address.isAnyLocalAddress() && !address.isLoopbackAddress();
        if (!MAPPED.contains(address) && !compat && !NAT64.contains(address)) return address;
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 bytes
        }
    }

    /** Where {@code address} (unwrapped first) falls. */
    public static Place classify(InetAddress address) {
        InetAddress a = unwrap(address);
        String note = NOTES.get(withoutScope(a));
        for (Range r : SPECIAL) {
            if (r.cidr().contains(a)) return new Place(r.kind(), r, note != null ? note : r.note());
        }
        return new Place(Kind.PUBLIC, null, note);
    }

    /** An address as people write it: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
    public static String text(InetAddress address) {
        if (address instanceof Inet4Address) return address.getHostAddress();
        byte[] b = address.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1; // a single zero group stays "0" (RFC 5952 4.2.2)
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** {@code 203.0.113.7:443}, {@code [2001:db8::1]:443}. */
    public static String text(InetAddress address, int port) {
        return (address instanceof Inet6Address ? "[" + text(address) + "]" : text(address)) + ":" + port;
    }

    /** An address literal (never a name lookup). */
    static InetAddress literal(String text) {
        // A colon, or four dotted numbers: InetAddress would look anything else up as a name.
        boolean v6 = text.indexOf(':') >= 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        if (!v6 && !text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP address literal: " + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + text, e);
        }
    }

    private static InetAddress withoutScope(InetAddress a) {
        if (!(a instanceof Inet6Address) || ((Inet6Address) a).getScopeId() == 0) return a;
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress mappedPrefix() {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Range range(Kind kind, String cidr, String note) {
        return new Range(kind, Cidr.parse(cidr), note);
    }

    private AddressRanges() {}
}
