package io.sandboxrun.core.policy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parsers and checks of the network settings ({@code network} in a policy file, {@code --allow},
 * {@code --dns-upstream}, {@code --net-rate} ...), shared by the policy file loader and the command
 * line like {@link PolicyValues}: each takes the field or option to name, and throws
 * {@link PolicyException} without a location, for example
 * {@code --allow: "tcp:10.0.0.1/8:443" has bits set beyond the /8 prefix; use its network address: tcp:10.0.0.0/8:443}.
 *
 * <p>Addresses are numeric literals only: nothing here ever asks DNS (an IPv6 literal reaches
 * {@link InetAddress} in brackets and only after a check of its characters, which makes it parse
 * the literal or fail; an IPv4 address is decoded here).
 */
public final class NetValues {
    /** Most new connections per second, and the largest burst: a bound against typos, not a capacity. */
    public static final int RATE_MAX = 100000;
    /** Most open proxied connections of an app at once. */
    public static final int CONCURRENT_MAX = 65536;
    /** The port of a DNS upstream given without one. */
    public static final int DNS_PORT = 53;
    /** The word for "no bandwidth limit" (also written 0). */
    public static final String UNLIMITED = "unlimited";

    private static final Pattern IPV4 =
            Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern NUMERIC_NAME = Pattern.compile("[0-9]+(?:\\.[0-9]+)*");
    private static final Pattern SIZE = Pattern.compile("[0-9]+[KkMmGg]?");
    private static final int NAME_MAX = 253;

    private static final String RULE_HINT = "use tcp:CIDR[:PORT|:LOW-HIGH] or host:NAME[:PORT|:LOW-HIGH]"
            + " (e.g. tcp:10.0.0.0/8:443, host:api.example.com:443)";
    private static final String TCP_HINT = "use tcp:ADDRESS[/PREFIX][:PORT|:LOW-HIGH], IPv6 in brackets"
            + " (e.g. tcp:10.0.0.0/8:443, tcp:[2001:db8::]/32:8000-8100)";
    private static final String HOST_HINT = "use host:NAME[:PORT|:LOW-HIGH] with a DNS name, or *.NAME for every"
            + " name below it (e.g. host:api.example.com:443, host:*.example.com)";
    private static final String LABEL_HINT = "a label has 1 to 63 characters of a-z, 0-9 and '-', not starting or"
            + " ending with '-' (an internationalised name in its xn-- form)";
    private static final String PORT_HINT = "use a port from 1 to 65535, or a range LOW-HIGH (e.g. 443, 8000-8100)";
    private static final String DNS_HINT = "use IP[:PORT] with an IPv4 address, or [IPv6][:PORT]"
            + " (e.g. 192.0.2.53, [2001:db8::53]:5353); the port defaults to 53";
    private static final String BANDWIDTH_HINT = "use bytes per second with K, M or G (e.g. 10M), or unlimited (or 0)";
    private static final String AUDIT_LOG_HINT = "give a file (e.g. /var/log/sandbox-run/audit.jsonl)";

    /**
     * One allow rule: {@code tcp:CIDR[:PORT|:LOW-HIGH]} with CIDR an IPv4 address or an IPv6 address
     * in brackets, each with an optional {@code /PREFIX} (none: the one address), or
     * {@code host:NAME[:PORT|:LOW-HIGH]} with NAME a DNS name or {@code *.} and a DNS name (lower-cased).
     * No port: every port.
     */
    public static NetRule rule(String field, String text) {
        if (text.startsWith("tcp:")) return tcp(field, text);
        if (text.startsWith("host:")) return host(field, text);
        throw PolicyException.of(field, PolicyValues.quote(text) + " is not an allow rule; " + RULE_HINT);
    }

    /** A DNS upstream: {@code IP[:PORT]} or {@code [IPv6][:PORT]}, port 1 to 65535 ({@link #DNS_PORT} when left out). */
    public static InetSocketAddress dnsUpstream(String field, String text) {
        String shown = PolicyValues.quote(text);
        String host;
        String port = null;
        boolean bracketed = text.startsWith("[");
        if (bracketed) {
            int close = text.indexOf(']');
            if (close < 0) throw PolicyException.of(field, shown + " has no closing ']'; " + DNS_HINT);
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw PolicyException.of(field, shown + " is not an address; " + DNS_HINT);
            }
            if (!rest.isEmpty()) port = rest.substring(1);
        } else {
            if (text.indexOf(':') != text.lastIndexOf(':')) {
                throw PolicyException.of(field, shown + ": put an IPv6 address in brackets, e.g. [2001:db8::53] or"
                        + " [2001:db8::53]:5353");
            }
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            if (colon >= 0) port = text.substring(colon + 1);
        }
        InetAddress a = bracketed ? ipv6(host) : ipv4(host);
        if (a == null) {
            throw PolicyException.of(field, shown + ": " + PolicyValues.quote(host) + " is not an IP"
                    + (bracketed ? "v6" : "") + " address; " + DNS_HINT);
        }
        if (bracketed && a instanceof Inet4Address) {
            throw PolicyException.of(field, shown + ": " + host + " is an IPv4-mapped address; write the IPv4 form: "
                    + a.getHostAddress() + (port == null ? "" : ":" + port));
        }
        int p = DNS_PORT;
        if (port != null) {
            Long n = digits(port);
            String range = "use 1 to 65535 (53 when left out)";
            if (n == null) throw PolicyException.of(field, shown + ": port " + PolicyValues.quote(port) + " is not a number; " + range);
            if (n < 1 || n > 65535) throw PolicyException.of(field, shown + ": port " + port + " is out of range; " + range);
            p = n.intValue();
        }
        return new InetSocketAddress(a, p);
    }

    /** New outbound connections per second: 1 to {@link #RATE_MAX}. */
    public static int connectionsPerSecond(String field, String text) {
        return connectionsPerSecond(field, text, PolicyValues.quote(text));
    }

    /** Connections allowed at once after a quiet spell: 1 to {@link #RATE_MAX} (below the rate is allowed too). */
    public static int burst(String field, String text) {
        return burst(field, text, PolicyValues.quote(text));
    }

    /** Open proxied connections at once: 1 to {@link #CONCURRENT_MAX}. */
    public static int concurrent(String field, String text) {
        return concurrent(field, text, PolicyValues.quote(text));
    }

    /** What a connection beyond the rate gets: {@code refuse} or {@code delay}. */
    /** {@code proxy} or {@code none}. */
    public static NetworkPolicy.Outbound outbound(String field, String text) {
        for (NetworkPolicy.Outbound o : NetworkPolicy.Outbound.values()) {
            if (o.word().equals(text)) return o;
        }
        throw PolicyException.of(field, PolicyValues.quote(text) + " is not an outbound mode; use proxy (connects go"
                + " through the launcher's proxy) or none (nothing leaves the sandbox)");
    }

    public static NetworkPolicy.OverLimit overLimit(String field, String text) {
        for (NetworkPolicy.OverLimit o : NetworkPolicy.OverLimit.values()) {
            if (o.word().equals(text)) return o;
        }
        throw PolicyException.of(field, PolicyValues.quote(text) + " is not an over-limit action; use "
                + Arrays.stream(NetworkPolicy.OverLimit.values()).map(NetworkPolicy.OverLimit::word)
                        .collect(Collectors.joining(" or ")));
    }

    /**
     * A bandwidth, bytes per second: a size with K, M or G (powers of 1024, as tmp-size), or
     * {@code unlimited} or {@code 0} for no limit (returned as 0).
     */
    public static long bandwidth(String field, String text) {
        return bandwidth(field, text, PolicyValues.quote(text));
    }

    /**
     * The audit log file: absolute, or relative to {@code base} (the policy file's directory, or
     * the working directory for the command line); made absolute and normalised. Not a directory.
     */
    public static Path auditLog(String field, String text, Path base) {
        String shown = PolicyValues.quote(text);
        if (text.indexOf('\0') >= 0) throw PolicyException.of(field, shown + " contains a NUL character");
        if (text.isEmpty()) throw PolicyException.of(field, "\"\" is empty; " + AUDIT_LOG_HINT);
        if (text.endsWith("/")) throw PolicyException.of(field, shown + " ends with '/'; " + AUDIT_LOG_HINT);
        Path p = PolicyValues.hostPath(field, text, base);
        if (Files.isDirectory(p)) throw PolicyException.of(field, shown + " is a directory; " + AUDIT_LOG_HINT);
        return p;
    }

    /** {@code bytesPerSecond} as written in a policy: {@code 10M}, or {@code unlimited} for 0. */
    public static String bandwidthWord(long bytesPerSecond) {
        return bytesPerSecond == 0 ? UNLIMITED : PolicyValues.sizeWord(bytesPerSecond);
    }

    /** A DNS upstream as written in a policy: {@code 192.0.2.53:53}, {@code [2001:db8::53]:5353}. */
    public static String upstreamWord(InetSocketAddress a) {
        if (a.isUnresolved()) return a.getHostString() + ":" + a.getPort();
        String host = literal(a.getAddress());
        return (a.getAddress() instanceof Inet4Address ? host : "[" + host + "]") + ":" + a.getPort();
    }

    /** An address as text: dotted IPv4, or IPv6 in its shortest form (RFC 5952: {@code 2001:db8::1}). */
    public static String literal(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) return a.getHostAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        // The longest run of two or more zero groups (the first of equal ones) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    // The variants below take how the value is shown in a message: quoted for a string, bare for
    // a number token of a policy file.

    static int connectionsPerSecond(String field, String text, String shown) {
        return whole(field, text, shown, 1, RATE_MAX);
    }

    static int burst(String field, String text, String shown) {
        return whole(field, text, shown, 1, RATE_MAX);
    }

    static int concurrent(String field, String text, String shown) {
        return whole(field, text, shown, 1, CONCURRENT_MAX);
    }

    static long bandwidth(String field, String text, String shown) {
        if (text.equals(UNLIMITED)) return 0;
        if (!SIZE.matcher(text).matches()) throw PolicyException.of(field, shown + " is not a size; " + BANDWIDTH_HINT);
        return PolicyValues.size(field, text, shown);
    }

    private static NetRule tcp(String field, String text) {
        String shown = PolicyValues.quote(text);
        String rest = text.substring("tcp:".length());
        boolean bracketed = rest.startsWith("[");
        String address;
        String after;
        if (bracketed) {
            int close = rest.indexOf(']');
            if (close < 0) throw PolicyException.of(field, shown + " has no closing ']'; " + TCP_HINT);
            address = rest.substring(1, close);
            after = rest.substring(close + 1);
        } else {
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != ':') end++;
            address = rest.substring(0, end);
            after = rest.substring(end);
            if (!address.contains(".") && rest.indexOf(':') != rest.lastIndexOf(':')) {
                throw PolicyException.of(field, shown + ": put an IPv6 address in brackets, e.g. tcp:[2001:db8::]/32");
            }
        }
        String prefixText = null;
        if (after.startsWith("/")) {
            int colon = after.indexOf(':');
            prefixText = colon < 0 ? after.substring(1) : after.substring(1, colon);
            after = colon < 0 ? "" : after.substring(colon);
        }
        String portText = null;
        if (after.startsWith(":")) portText = after.substring(1);
        else if (!after.isEmpty()) throw PolicyException.of(field, shown + " is not a tcp rule; " + TCP_HINT);

        InetAddress a = bracketed ? ipv6(address) : ipv4(address);
        if (a == null) {
            if (!bracketed && address.chars().anyMatch(Character::isLetter)) {
                throw PolicyException.of(field, shown + ": " + PolicyValues.quote(address) + " is not an IP address;"
                        + " a name needs a host rule (e.g. host:" + address + (portText == null ? "" : ":" + portText)
                        + ")");
            }
            throw PolicyException.of(field, shown + ": " + PolicyValues.quote(address) + " is not an IP"
                    + (bracketed ? "v6" : "v4") + " address; " + TCP_HINT);
        }
        if (bracketed && a instanceof Inet4Address) {
            Long p = prefixText == null ? null : digits(prefixText);
            String v4prefix = prefixText == null ? "" : p != null && p >= 96 && p <= 128 ? "/" + (p - 96) : null;
            String mapped = shown + ": " + address + " is an IPv4-mapped address; ";
            if (v4prefix == null) {
                throw PolicyException.of(field, mapped + "write IPv4 ranges in the IPv4 form, with the prefix less 96"
                        + " (e.g. tcp:10.0.0.0/8 for [::ffff:10.0.0.0]/104)");
            }
            throw PolicyException.of(field, mapped + "write the IPv4 form: tcp:" + a.getHostAddress() + v4prefix
                    + (portText == null ? "" : ":" + portText));
        }
        byte[] bytes = a.getAddress();
        int max = bytes.length * 8;
        int prefix = max;
        if (prefixText != null) {
            String family = bytes.length == 4 ? " for an IPv4 address" : " for an IPv6 address";
            Long p = digits(prefixText);
            if (p == null) {
                throw PolicyException.of(field, shown + ": prefix " + PolicyValues.quote(prefixText)
                        + " is not a number; use 0 to " + max + family);
            }
            if (p > max) throw PolicyException.of(field, shown + ": prefix " + p + " is out of range; use 0 to " + max + family);
            prefix = p.intValue();
        }
        int[] ports = ports(field, shown, portText);
        byte[] network = masked(bytes, prefix);
        if (!Arrays.equals(network, bytes)) {
            NetRule.Tcp fixed = new NetRule.Tcp(address(network), prefix, ports[0], ports[1]);
            throw PolicyException.of(field, shown + " has bits set beyond the /" + prefix
                    + " prefix; use its network address: " + fixed.text());
        }
        return new NetRule.Tcp(a, prefix, ports[0], ports[1]);
    }

    private static NetRule host(String field, String text) {
        String shown = PolicyValues.quote(text);
        String rest = text.substring("host:".length());
        if (rest.startsWith("[") || rest.indexOf(':') != rest.lastIndexOf(':')) {
            throw PolicyException.of(field, shown + " holds an IP address; addresses need a tcp rule, IPv6 in brackets"
                    + " (e.g. tcp:" + (rest.startsWith("[") ? rest : "[2001:db8::1]:443") + ")");
        }
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        String portText = colon < 0 ? null : rest.substring(colon + 1);
        if (name.isEmpty()) throw PolicyException.of(field, shown + " has no name; " + HOST_HINT);
        if (NUMERIC_NAME.matcher(name).matches()) {
            throw PolicyException.of(field, shown + ": " + name + " is an IP address, not a name; addresses need a"
                    + " tcp rule (e.g. tcp:" + rest + ")");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean wildcard = lower.startsWith("*.");
        String base = wildcard ? lower.substring(2) : lower;
        String shownName = PolicyValues.quote(name);
        if (base.contains("*")) {
            throw PolicyException.of(field, shown + ": " + shownName + " has a '*' that does not stand alone first;"
                    + " " + HOST_HINT);
        }
        if (base.length() > NAME_MAX) {
            throw PolicyException.of(field, shown + ": the name is longer than " + NAME_MAX + " characters; " + HOST_HINT);
        }
        String[] labels = base.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) throw PolicyException.of(field, shown + ": " + shownName + " has an empty label; " + HOST_HINT);
            if (!LABEL.matcher(label).matches()) {
                throw PolicyException.of(field, shown + ": label " + PolicyValues.quote(label) + " is not valid; "
                        + LABEL_HINT);
            }
        }
        if (labels.length < 2) {
            throw PolicyException.of(field, shown + ": " + shownName + (wildcard
                    ? " would match every name under a top-level domain; use a wildcard below a domain, such as"
                      + " *.example.com"
                    : " is a single label; use a full name such as api.example.com"));
        }
        int[] ports = ports(field, shown, portText);
        return new NetRule.Host(lower, ports[0], ports[1]);
    }

    /** {@code PORT} or {@code LOW-HIGH}; none: every port. */
    private static int[] ports(String field, String shown, String text) {
        if (text == null) return new int[] {1, 65535};
        int dash = text.indexOf('-');
        int low = port(field, shown, dash < 0 ? text : text.substring(0, dash));
        int high = dash < 0 ? low : port(field, shown, text.substring(dash + 1));
        if (low > high) {
            throw PolicyException.of(field, shown + ": port range " + text + " runs backwards; write the lower port"
                    + " first (" + high + "-" + low + ")");
        }
        return new int[] {low, high};
    }

    private static int port(String field, String shown, String text) {
        Long n = digits(text);
        if (n == null) {
            throw PolicyException.of(field, shown + ": port " + PolicyValues.quote(text) + " is not a number; " + PORT_HINT);
        }
        if (n < 1 || n > 65535) throw PolicyException.of(field, shown + ": port " + text + " is out of range; " + PORT_HINT);
        return n.intValue();
    }

    /** A dotted-quad IPv4 address, decoded here (no leading zeros); {@code null} for anything else. */
    private static InetAddress ipv4(String text) {
        if (!IPV4.matcher(text).matches()) return null;
        String[] parts = text.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int n = Integer.parseInt(parts[i]);
            if (n > 255) return null;
            b[i] = (byte) n;
        }
        return address(b);
    }

    /**
     * An IPv6 literal (without brackets); {@code null} for anything else. An IPv4-mapped one comes
     * back as its {@link Inet4Address}, as {@link InetAddress} makes it.
     */
    private static InetAddress ipv6(String text) {
        // Only hex digits, ':' and '.' reach InetAddress, in brackets: it parses the literal or fails, never resolves.
        if (!IPV6_CHARS.matcher(text).matches()) return null;
        try {
            return InetAddress.getByName("[" + text + "]");
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + b.length + " bytes", e);
        }
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] &= (byte) (0xff00 >> keep);
        }
        return out;
    }

    private static int whole(String field, String text, String shown, int min, int max) {
        String range = "use " + min + " to " + max;
        Long n = digits(text);
        if (n == null) throw PolicyException.of(field, shown + " is not a whole number; " + range);
        if (n < min || n > max) throw PolicyException.of(field, shown + " is out of range; " + range);
        return n.intValue();
    }

    /** Plain decimal digits as a number; {@code null} for anything else, or when above 2^63-1. */
    private static Long digits(String text) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;   // 19 digits above Long.MAX_VALUE
        }
    }

    private NetValues() {}
}
