package io.sandboxrun.core.policy;

import java.net.InetAddress;

/**
 * One allow rule of the network policy. Text forms (the policy file and {@code --allow}):
 * {@code tcp:CIDR[:PORT|:LOW-HIGH]} ({@code tcp:10.1.2.0/24:443}, {@code tcp:[2001:db8::]/32},
 * {@code tcp:203.0.113.7}: a bare address is a /32 or /128; no port: every port) and
 * {@code host:NAME[:PORT|:LOW-HIGH]} ({@code host:api.example.com:443}, {@code host:*.example.com}:
 * any name below example.com, not example.com itself).
 */
public sealed interface NetRule permits NetRule.Tcp, NetRule.Host {
    int portLow();

    int portHigh();

    /** The rule as written in a policy file, canonical: {@code tcp:10.0.0.0/8:443}, {@code tcp:[2001:db8::]/32}. */
    String text();

    default boolean coversPort(int port) {
        return port >= portLow() && port <= portHigh();
    }

    /**
     * TCP to addresses in {@code network}/{@code prefix} (an IPv4 rule never matches an IPv6
     * destination except through its v4-mapped form, which the proxy unwraps first).
     */
    record Tcp(InetAddress network, int prefix, int portLow, int portHigh) implements NetRule {
        @Override
        public String text() {
            String a = NetValues.literal(network);
            String addr = network instanceof java.net.Inet6Address ? "[" + a + "]" : a;
            return "tcp:" + addr + "/" + prefix + ports(portLow, portHigh);
        }
    }

    /** TCP to the addresses the DNS forwarder saw {@code name} resolve to, for the answer's TTL. */
    record Host(String name, int portLow, int portHigh) implements NetRule {
        /** Whether the rule is {@code *.suffix}. */
        public boolean wildcard() {
            return name.startsWith("*.");
        }

        /** Whether {@code queried} (lower case, no trailing dot) is this rule's name or below its wildcard. */
        public boolean matches(String queried) {
            return wildcard() ? queried.endsWith(name.substring(1)) && queried.length() > name.length() - 1
                    : queried.equals(name);
        }

        @Override
        public String text() {
            return "host:" + name + ports(portLow, portHigh);
        }
    }

    private static String ports(int low, int high) {
        if (low == 1 && high == 65535) return "";
        return low == high ? ":" + low : ":" + low + "-" + high;
    }
}
