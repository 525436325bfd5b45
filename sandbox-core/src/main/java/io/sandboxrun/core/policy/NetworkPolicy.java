package io.sandboxrun.core.policy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The outbound network of an app: default deny, the allow rules, DNS, rate limits, the audit log.
 *
 * @param outbound {@link Outbound#PROXY} (default): every connect() goes through the launcher;
 *                 {@link Outbound#NONE}: no proxy at all, the empty network namespace alone
 * @param allow    allow rules; empty: no outbound connection at all (the proxy is still there and
 *                 every attempt is refused and audited)
 * @param dns      the in-sandbox resolver's upstream and which names it answers
 * @param rates    per-app limits, shared by the app's instances in one launcher
 * @param auditLog file that gets one JSON line per decision and per closed connection; null: none
 */
public record NetworkPolicy(List<NetRule> allow, Dns dns, Rates rates, Path auditLog, Outbound outbound) {
    public NetworkPolicy {
        allow = List.copyOf(allow);
        if (outbound == null) throw new IllegalArgumentException("no outbound mode");
    }

    /** With the proxy ({@link Outbound#PROXY}). */
    public NetworkPolicy(List<NetRule> allow, Dns dns, Rates rates, Path auditLog) {
        this(allow, dns, rates, auditLog, Outbound.PROXY);
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
     * @param anyName  false (default): only names some host rule matches are answered, others get
     *                 REFUSED (a name is data: an open resolver lets an app leak through queries);
     *                 true: every name is forwarded (the IPs still need a tcp rule)
     */
    public record Dns(List<InetSocketAddress> upstream, boolean anyName) {
        public Dns {
            upstream = List.copyOf(upstream);
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
    public record Rates(int connectionsPerSecond, int burst, OverLimit overLimit, int concurrent,
                        long bytesPerSecondIn, long bytesPerSecondOut) {}

    public enum OverLimit {
        /** ECONNREFUSED at once. */
        REFUSE,
        /** connect() returns at once; the proxy dials out when a token is there (at most a second later; else refused). */
        DELAY;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public NetworkPolicy withAllow(List<NetRule> rules) { return new NetworkPolicy(rules, dns, rates, auditLog, outbound); }

    public NetworkPolicy withDns(Dns d) { return new NetworkPolicy(allow, d, rates, auditLog, outbound); }

    public NetworkPolicy withRates(Rates r) { return new NetworkPolicy(allow, dns, r, auditLog, outbound); }

    public NetworkPolicy withAuditLog(Path p) { return new NetworkPolicy(allow, dns, rates, p, outbound); }

    public NetworkPolicy withOutbound(Outbound o) { return new NetworkPolicy(allow, dns, rates, auditLog, o); }
}
