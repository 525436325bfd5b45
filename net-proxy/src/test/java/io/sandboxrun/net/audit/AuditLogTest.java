package io.sandboxrun.net.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.net.Allowlist;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    private static final Instant T = Instant.parse("2025-01-02T03:04:05.678912Z");

    @Test
    void connectLine() throws Exception {
        AuditEvent e = AuditEvent.connect(T, "hello", "i-1", InetAddress.getByName("203.0.113.7"), 443,
                new Allowlist.Decision(true, "host:api.example.com:443", "api.example.com", "api.example.com resolved to it"));
        assertEquals("{\"time\":\"2025-01-02T03:04:05.678Z\",\"app\":\"hello\",\"instance\":\"i-1\",\"event\":\"connect\","
                + "\"destination\":\"203.0.113.7:443\",\"name\":\"api.example.com\",\"rule\":\"host:api.example.com:443\","
                + "\"decision\":\"allow\",\"reason\":\"api.example.com resolved to it\",\"bytes_in\":null,\"bytes_out\":null,"
                + "\"duration_ms\":null,\"answers\":null}", AuditLog.line(e));
    }

    @Test
    void denyAndLocalLines() throws Exception {
        AuditEvent deny = AuditEvent.connect(T, "hello", "i-1", InetAddress.getByName("2001:db8::1"), 22,
                new Allowlist.Decision(false, null, null, "no rule allows 2001:db8::1"));
        assertEquals("{\"time\":\"2025-01-02T03:04:05.678Z\",\"app\":\"hello\",\"instance\":\"i-1\",\"event\":\"connect\","
                + "\"destination\":\"[2001:db8::1]:22\",\"name\":null,\"rule\":null,\"decision\":\"deny\","
                + "\"reason\":\"no rule allows 2001:db8::1\",\"bytes_in\":null,\"bytes_out\":null,\"duration_ms\":null,"
                + "\"answers\":null}", AuditLog.line(deny));
        AuditEvent local = AuditEvent.connect(T, "hello", "i-1", InetAddress.getByName("127.0.0.1"), 8080, null, null,
                AuditEvent.LOCAL, "loopback inside the sandbox");
        assertEquals("local", local.decision());
        assertEquals("127.0.0.1:8080", local.destination());
    }

    @Test
    void closeLine() throws Exception {
        AuditEvent e = AuditEvent.close(T, "hello", "i-1", InetAddress.getByName("203.0.113.7"), 443, null,
                "tcp:203.0.113.0/24:443", "closed by the app", 1234, 56, 789);
        assertEquals("{\"time\":\"2025-01-02T03:04:05.678Z\",\"app\":\"hello\",\"instance\":\"i-1\",\"event\":\"close\","
                + "\"destination\":\"203.0.113.7:443\",\"name\":null,\"rule\":\"tcp:203.0.113.0/24:443\","
                + "\"decision\":\"allow\",\"reason\":\"closed by the app\",\"bytes_in\":1234,\"bytes_out\":56,"
                + "\"duration_ms\":789,\"answers\":null}", AuditLog.line(e));
    }

    @Test
    void dnsLine() {
        AuditEvent e = AuditEvent.dns(T, "hello", "i-1", "api.example.com", "host:api.example.com:443", true,
                "A api.example.com: forwarded", List.of("203.0.113.7", "2001:db8::7"));
        assertEquals("{\"time\":\"2025-01-02T03:04:05.678Z\",\"app\":\"hello\",\"instance\":\"i-1\",\"event\":\"dns\","
                + "\"destination\":null,\"name\":\"api.example.com\",\"rule\":\"host:api.example.com:443\","
                + "\"decision\":\"allow\",\"reason\":\"A api.example.com: forwarded\",\"bytes_in\":null,\"bytes_out\":null,"
                + "\"duration_ms\":null,\"answers\":[\"203.0.113.7\",\"2001:db8::7\"]}", AuditLog.line(e));
    }

    @Test
    void toConsumer() {
        List<String> lines = new ArrayList<>();
        AuditLog log = AuditLog.to(lines::add);
        log.write(AuditEvent.dns(T, "a", "i", "x.example", null, false, "no host rule matches x.example", List.of()));
        assertEquals(1, lines.size());
    }

    @Test
    void appendsToAFileWithMode0600(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(p)) {
            log.write(AuditEvent.dns(T, "a", "i", "x.example", null, false, "one", List.of()));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        try (AuditLog log = AuditLog.open(p)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 100; i++) log.write(AuditEvent.dns(T, "a", "i", "x.example", null, false, "many", List.of()));
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) th.join();
            assertEquals(0, log.failures());
        }
        List<String> lines = Files.readAllLines(p);
        assertEquals(401, lines.size());
        assertEquals(true, lines.get(0).contains("\"reason\":\"one\""));
        for (String l : lines) assertEquals(true, l.startsWith("{\"time\":") && l.endsWith("\"answers\":[]}"), l);
    }
}
