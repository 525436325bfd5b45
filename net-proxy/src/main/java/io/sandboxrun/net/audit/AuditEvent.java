package io.sandboxrun.net.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.sandboxrun.net.AddressRanges;
import io.sandboxrun.net.Allowlist;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One line of the audit log: a connect() decision, a closed connection, or a DNS query. Every
 * field is always written (null when it does not apply) so that the schema is the same on every
 * line.
 *
 * @param time        ISO-8601 UTC with milliseconds: {@code 2025-01-02T03:04:05.678Z}
 * @param event       {@link #CONNECT}, {@link #CLOSE} or {@link #DNS}
 * @param destination {@code 203.0.113.7:443} or {@code [2001:db8::1]:443}; null for dns
 * @param name        the host name of a host-rule grant, the queried name of a dns event; else null
 * @param rule        text of the rule that allowed it; null when none did
 * @param decision    {@link #ALLOW}, {@link #DENY} or {@link #LOCAL} (kept inside the sandbox's own loopback)
 * @param bytesIn     bytes towards the app; close events only
 * @param bytesOut    bytes from the app; close events only
 * @param durationMs  how long the connection was open; close events only
 * @param answers     the addresses a dns answer allowed (A/AAAA); dns events only
 */
@JsonPropertyOrder({"time", "app", "instance", "event", "destination", "name", "rule", "decision", "reason",
        "bytes_in", "bytes_out", "duration_ms", "answers"})
public record AuditEvent(
        String time,
        String app,
        String instance,
        String event,
        String destination,
        String name,
        String rule,
        String decision,
        String reason,
        @JsonProperty("bytes_in") Long bytesIn,
        @JsonProperty("bytes_out") Long bytesOut,
        @JsonProperty("duration_ms") Long durationMs,
        List<String> answers) {

    public static final String CONNECT = "connect", CLOSE = "close", DNS = "dns";
    public static final String ALLOW = "allow", DENY = "deny", LOCAL = "local";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public AuditEvent {
        answers = answers == null ? null : List.copyOf(answers);
    }

    /** A connect() the allowlist decided. */
    public static AuditEvent connect(Instant time, String app, String instance, InetAddress address, int port,
                                     Allowlist.Decision d) {
        return connect(time, app, instance, address, port, d.name(), d.rule(), d.allowed() ? ALLOW : DENY, d.reason());
    }

    /** A connect() decision, {@code decision} one of {@link #ALLOW}, {@link #DENY}, {@link #LOCAL}. */
    public static AuditEvent connect(Instant time, String app, String instance, InetAddress address, int port,
                                     String name, String rule, String decision, String reason) {
        return new AuditEvent(time(time), app, instance, CONNECT, AddressRanges.text(address, port), name, rule,
                decision, reason, null, null, null, null);
    }

    /** A proxied connection that ended (it was allowed: only those are relayed). */
    public static AuditEvent close(Instant time, String app, String instance, InetAddress address, int port,
                                   String name, String rule, String reason, long bytesIn, long bytesOut, long durationMs) {
        return new AuditEvent(time(time), app, instance, CLOSE, AddressRanges.text(address, port), name, rule, ALLOW,
                reason, bytesIn, bytesOut, durationMs, null);
    }

    /** A DNS query: forwarded ({@code allowed}) or refused; {@code answers} the addresses recorded. */
    public static AuditEvent dns(Instant time, String app, String instance, String name, String rule, boolean allowed,
                                 String reason, List<String> answers) {
        return new AuditEvent(time(time), app, instance, DNS, null, name, rule, allowed ? ALLOW : DENY, reason,
                null, null, null, answers);
    }

    /** {@code time} as written in {@link #time()}. */
    public static String time(Instant time) {
        return TIME.format(time);
    }
}
