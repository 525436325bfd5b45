package io.sandboxrun.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address block: {@code network}/{@code prefix}, host bits cleared. IPv4 and IPv6 blocks never
 * contain each other's addresses; callers unwrap mapped forms first ({@link AddressRanges#unwrap}).
 */
public record Cidr(InetAddress network, int prefix) {
    /** @throws IllegalArgumentException when the prefix is outside 0..32 (IPv4) or 0..128 (IPv6) */
    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range for "
                    + AddressRanges.text(network) + "; use 0 to " + bits);
        }
        network = masked(network, prefix);
    }

    /**
     * The block of a rule, with an IPv6 block inside {@code ::ffff:0:0/96}, {@code ::/96} or
     * {@code 64:ff9b::/96} turned into its IPv4 block, as destinations are unwrapped (so
     * {@code [::ffff:10.0.0.0]/104} is {@code 10.0.0.0/8}). A v4 address with a prefix above 32
     * is taken as such a mapped form too: {@link InetAddress} turns {@code ::ffff:a.b.c.d} into an
     * {@link Inet4Address} by itself.
     */
    public static Cidr of(InetAddress network, int prefix) {
        if (network instanceof Inet4Address && prefix > 32 && prefix <= 128) {
            return new Cidr(network, prefix - 96);
        }
        if (prefix >= 96) {
            InetAddress v4 = AddressRanges.unwrap(network);
            if (v4 instanceof Inet4Address && v4 != network) return new Cidr(v4, prefix - 96);
        }
        return new Cidr(network, prefix);
    }

    /** Parses {@code a.b.c.d/n} or {@code x::y/n}; only for literals (no name lookup). */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = AddressRanges.literal(addr);
        int prefix = slash < 0 ? a.getAddress().length * 8 : Integer.parseInt(text.substring(slash + 1));
        return of(a, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] n = network.getAddress();
        byte[] a = address.getAddress();
        if (n.length != a.length) return false;
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (n[i] != a[i]) return false;
        }
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (n[full] & mask) == (a[full] & mask);
    }

    /** Whether this block lies inside {@code outer}: at least as long a prefix, and its network in it. */
    public boolean within(Cidr outer) {
        return prefix >= outer.prefix && outer.contains(network);
    }

    @Override
    public String toString() {
        return AddressRanges.text(network) + "/" + prefix;
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        try {
            // Inet6Address.getByAddress: InetAddress.getByAddress would make ::ffff:0:0 an IPv4 address.
            return a instanceof Inet4Address ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
        }
    }
}
