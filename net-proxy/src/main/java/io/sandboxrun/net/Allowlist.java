package io.sandboxrun.net;

import io.sandboxrun.core.policy.NetRule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether an outbound TCP connection may go out, from the allow rules and the host-name
 * allowances (DESIGN.md "The socket proxy", point 4). Pure and immutable: safe from any thread.
 *
 * <p>An address in a special range (this-host, loopback, link-local, private; see
 * {@link AddressRanges}) is only reached by a tcp rule that names the range explicitly: one whose
 * block lies inside that range. So {@code tcp:0.0.0.0/0} never reaches {@code 10.1.2.3} or the
 * cloud metadata service, while {@code tcp:10.0.0.0/8:443} does reach {@code 10.1.2.3:443}. A host
 * rule never opens a special range by itself either: a name that resolves to {@code 10.0.0.5} is
 * allowed only when some tcp rule names a range holding {@code 10.0.0.5} (on any port; the host
 * rule's ports apply), else an attacker's DNS could point an allowed name inside (DNS rebinding).
 * Multicast and broadcast destinations are always refused.
 */
public final class Allowlist {
    /**
     * The outcome of one connect().
     *
     * @param rule   text of the rule that allowed it, or null
     * @param name   the host name whose allowance let it through (host rules only), or null
     * @param reason for people: why it was allowed or denied
     */
    public record Decision(boolean allowed, String rule, String name, String reason) {
        static Decision allow(NetRule rule, String name, String reason) {
            return new Decision(true, rule.text(), name, reason);
        }

        static Decision deny(String reason) {
            return new Decision(false, null, null, reason);
        }
    }

    private record TcpRule(NetRule.Tcp rule, Cidr cidr) {}

    private final List<TcpRule> tcp = new ArrayList<>();

    /** @throws IllegalArgumentException when a tcp rule's prefix does not fit its address */
    public Allowlist(List<NetRule> rules) {
        for (NetRule r : rules) {
            if (r instanceof NetRule.Tcp t) tcp.add(new TcpRule(t, Cidr.of(t.network(), t.prefix())));
        }
    }

    /**
     * Whether some tcp rule's block holds {@code address} (any port): a loopback address that a
     * rule names is the host's, not the sandbox's own.
     */
    public boolean names(InetAddress address) {
        InetAddress a = AddressRanges.unwrap(address);
        return tcp.stream().anyMatch(r -> r.cidr().contains(a) && (AddressRanges.classify(a).range() == null
                || r.cidr().within(AddressRanges.classify(a).range().cidr())));
    }

    /**
     * @param destination the address the app connects to; v4-mapped, v4-compatible and NAT64
     *                    forms are judged as the IPv4 address they carry
     * @param names       the app's host-name allowances
     */
    public Decision decide(InetAddress destination, int port, NameAllowances names, long nowMillis) {
        InetAddress a = AddressRanges.unwrap(destination);
        String shown = AddressRanges.text(a);
        AddressRanges.Place place = AddressRanges.classify(a);
        if (place.kind().neverTcp()) {
            return Decision.deny(shown + " is " + place.words() + "; TCP never goes there");
        }
        boolean special = place.range() != null;
        boolean reachedByWildcard = false;
        boolean named = false;
        for (TcpRule r : tcp) {
            if (!r.cidr().contains(a)) continue;
            if (special && !r.cidr().within(place.range().cidr())) {
                reachedByWildcard = true;
                continue;
            }
            named = true;
            if (r.rule().coversPort(port)) return Decision.allow(r.rule(), null, "allowed by " + r.rule().text());
        }
        List<NameAllowances.Grant> grants = names.grants(a, nowMillis);
        Optional<NameAllowances.Grant> live = names.find(a, port, nowMillis);
        if (live.isPresent()) {
            NameAllowances.Grant g = live.get();
            if (special && !named) {
                return Decision.deny(shown + " is " + place.words() + "; " + g.name() + " resolved to it, but a host rule"
                        + " reaches " + place.kind().word() + " addresses only where a tcp rule names the range"
                        + " (DNS rebinding protection)");
            }
            return Decision.allow(g.rule(), g.name(), g.name() + " resolved to it (TTL left " + g.secondsLeft(nowMillis)
                    + " s), allowed by " + g.rule().text());
        }
        if (special && !named) {
            return Decision.deny(shown + " is " + place.words() + "; no rule names it explicitly"
                    + (reachedByWildcard ? " (a wildcard does not)" : ""));
        }
        // A grant for this port that is still here has expired (a live one was found above).
        Optional<NameAllowances.Grant> expired = grants.stream().filter(g -> g.rule().coversPort(port))
                .max((x, y) -> Long.compare(x.expiresAt(), y.expiresAt()));
        if (expired.isPresent()) {
            NameAllowances.Grant g = expired.get();
            return Decision.deny("the allowance for " + g.name() + " expired (" + (nowMillis - g.expiresAt()) / 1000
                    + " s ago); " + shown + " is not allowed until the name is resolved again");
        }
        boolean otherPorts = named || grants.stream().anyMatch(g -> !g.expired(nowMillis));
        if (otherPorts) return Decision.deny("port " + port + " is not covered by any rule for " + shown);
        return Decision.deny("no rule allows " + shown);
    }
}
