package io.sandboxrun.core.policy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The outbound network of an app: default deny, the allow rules, DNS, rate limits, the audit log.
 *
 * @param outbound {@link Outbound#PROXY}: every connect() goes through the launcher;
 *                 {@link Outbound#NONE}: no proxy at all, the empty network namespace alone
 * @param allow    allow rules; empty: no outbound connection at all (the proxy is still there and
 *                 every attempt is refused and audited)
 * @param dns      the in-sandbox resolver's upstream and which names it answers
 * @param rates    per-app limits, shared by the app's instances in one launcher
 * @param auditLog file that gets one JSON line per decision and per closed connection; null: none
 */
public record NetworkPolicy(
        @Setting(kind = Kind.OUTBOUND, option = "--outbound", byDefault = "proxy",
                because = "outbound stays possible, through the rules, the limits and the audit",
                help = "proxy: every connect() goes through the launcher, which relays what --allow allows and"
                        + " refuses the rest; none: no proxy, nothing leaves the sandbox's empty network namespace and"
                        + " connects cost nothing extra (no --allow, no --audit-log then).")
        Outbound outbound,
        @Setting(kind = Kind.NET_RULE, option = "--allow",
                because = "default deny: every connection is refused",
                help = "Allow outbound TCP (repeatable; replaces the policy file's allow list):"
                        + " tcp:CIDR[:PORT|:LOW-HIGH], IPv6 in brackets (e.g. tcp:10.0.0.0/8:443, tcp:203.0.113.7), or"
                        + " host:NAME[:PORT|:LOW-HIGH] for the addresses NAME resolves to, *.NAME for any name below it"
                        + " (e.g. host:api.example.com:443); no port: every port. The host's loopback, link-local (with"
                        + " the cloud metadata address 169.254.169.254) and private ranges are refused even under a"
                        + " wildcard unless a tcp rule whose CIDR lies inside the range names them.")
        List<NetRule> allow,
        @Section(help = "The sandbox's resolver at 127.0.0.1:53: where it forwards, which names it answers.",
                group = Group.NETWORK)
        Dns dns,
        @Section(help = "Per-app limits on outbound connections, shared by the app's instances in one launcher.",
                group = Group.NETWORK)
        Rates rates,
        @Setting(kind = Kind.AUDIT_LOG, option = "--audit-log",
                help = "Append one JSON line per connection decision, per closed connection (bytes each way,"
                        + " duration) and per DNS query to FILE.")
        Path auditLog) {
    public NetworkPolicy {
        allow = allow == null ? null : List.copyOf(allow);
    }

    /** Whether anything can leave the sandbox, and how. */
    public enum Outbound {
        /** Every connect() is notified; allowed TCP goes through the launcher's proxy, the rest is refused and audited. */
        PROXY,
        /**
         * No proxy, no notified connect, no DNS: the empty network namespace alone (an app that
         * never goes out launches faster and its connects cost nothing extra).
         */
        NONE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param upstream resolvers to forward to; empty: the host's, from its /etc/resolv.conf
     * @param anyName  false: only names some host rule matches are answered, others get REFUSED;
     *                 true: every name is forwarded (the IPs still need a tcp rule)
     */
    public record Dns(
            @Setting(kind = Kind.DNS_UPSTREAM, option = "--dns-upstream",
                    because = "the host's resolvers, from its /etc/resolv.conf",
                    help = "Resolver the sandbox's DNS forwards to: IP[:PORT] or [IPv6][:PORT], port 53 when left"
                            + " out (repeatable; replaces the policy file's list).")
            List<InetSocketAddress> upstream,
            @Setting(kind = Kind.FLAG, option = "--dns-any-name", byDefault = "false",
                    because = "a name is data: an open resolver lets an app leak through its queries",
                    help = "Answer DNS queries for any name (otherwise only names a host rule allows; others get"
                            + " REFUSED). The addresses still need a rule to be reached.")
            Boolean anyName) {
        public Dns {
            upstream = upstream == null ? null : List.copyOf(upstream);
        }
    }

    /**
     * @param connectionsPerSecond new outbound connections per second (token bucket refill)
     * @param burst                bucket size: connections allowed at once after a quiet spell
     * @param overLimit            what a connect() beyond the bucket gets
     * @param concurrent           open proxied connections at once; beyond it: refused
     * @param bytesPerSecondIn     bytes per second towards the app (shaped, not dropped); 0: unlimited
     * @param bytesPerSecondOut    bytes per second from the app; 0: unlimited
     */
    public record Rates(
            @Setting(kind = Kind.CONNECTIONS, option = "--net-rate", byDefault = "20",
                    because = "enough for the API calls of a web app, not for turning a host into a flood source",
                    help = "New outbound connections per second of the app, shared by its instances: 1 to 100000.")
            Integer connectionsPerSecond,
            @Setting(kind = Kind.CONNECTIONS, option = "--net-burst", byDefault = "40",
                    because = "twice the rate, for a page that opens a few at once",
                    help = "Connections the app may open at once after a quiet spell, beyond --net-rate: 1 to 100000.")
            Integer burst,
            @Setting(kind = Kind.OVER_LIMIT, option = "--net-over-limit", byDefault = "refuse",
                    because = "a refused connect fails fast; a delayed one holds a worker",
                    help = "What a connection beyond the rate gets: refuse (ECONNREFUSED at once) or delay (connect()"
                            + " returns at once and the proxy dials out when its turn comes, at most a second later;"
                            + " beyond a second: refused).")
            OverLimit overLimit,
            @Setting(kind = Kind.CONCURRENT, option = "--net-concurrent", byDefault = "256",
                    because = "far above a web app's pool of connections",
                    help = "Open outbound connections of the app at once; more are refused: 1 to 65536.")
            Integer concurrent,
            @Setting(kind = Kind.BANDWIDTH, key = "bandwidth-in", option = "--bandwidth-in", byDefault = "10M",
                    because = "enough for API calls and downloads of a web app",
                    help = "Bytes per second towards the app over its outbound connections, with K, M or G (e.g. 1M),"
                            + " or unlimited (or 0).")
            Long bytesPerSecondIn,
            @Setting(kind = Kind.BANDWIDTH, key = "bandwidth-out", option = "--bandwidth-out", byDefault = "10M",
                    because = "enough for uploads of a web app, not for flooding others",
                    help = "Bytes per second from the app over its outbound connections, with K, M or G (e.g. 1M),"
                            + " or unlimited (or 0).")
            Long bytesPerSecondOut) {}

    public enum OverLimit {
        /** ECONNREFUSED at once. */
        REFUSE,
        /** connect() returns at once; the proxy dials out when a token is there (at most a second later; else refused). */
        DELAY;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public NetworkPolicy withAllow(List<NetRule> rules) { return new NetworkPolicy(outbound, rules, dns, rates, auditLog); }

    public NetworkPolicy withDns(Dns d) { return new NetworkPolicy(outbound, allow, d, rates, auditLog); }

    public NetworkPolicy withRates(Rates r) { return new NetworkPolicy(outbound, allow, dns, r, auditLog); }

    public NetworkPolicy withAuditLog(Path p) { return new NetworkPolicy(outbound, allow, dns, rates, p); }

    public NetworkPolicy withOutbound(Outbound o) { return new NetworkPolicy(o, allow, dns, rates, auditLog); }
}
