package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessStartTest {
    @Test
    void selfIsAliveAndItsTextRoundTrips() {
        ProcessStart me = ProcessStart.self();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertTrue(me.startTicks() > 0, "start time read from /proc/self/stat");
        assertTrue(me.alive());
        assertEquals(Optional.of(me), ProcessStart.parse(me.toString()));
    }

    @Test
    void samePidOtherStartTimeIsNotAlive() {
        ProcessStart me = ProcessStart.self();
        assertFalse(new ProcessStart(me.pid(), me.startTicks() + 1).alive(), "pid reused");
    }

    @Test
    void deadPidIsNotAlive() throws Exception {
        Process p = new ProcessBuilder("true").start();
        int pid = (int) p.pid();
        long ticks = ProcessStart.startTicks(pid).orElse(1L);
        p.waitFor();
        // Reaped by waitFor: /proc/PID is gone (unless the pid was reused at once, with another start time).
        assertFalse(new ProcessStart(pid, ticks).alive());
        assertEquals(Optional.empty(), ProcessStart.startTicks(Integer.MAX_VALUE));
    }

    @Test
    void startTicksReadsPastACommandNameWithSpacesAndParens() throws Exception {
        // The parse skips to after the last ')': check it against the field count of our own stat line.
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Optional.of(Long.parseLong(rest[19])), ProcessStart.startTicks((int) ProcessHandle.current().pid()));
    }

    @Test
    void parseRefusesWhatIsNotPidColonTicks() {
        assertEquals(Optional.of(new ProcessStart(12, 34)), ProcessStart.parse("12:34"));
        assertEquals(Optional.empty(), ProcessStart.parse("12"));
        assertEquals(Optional.empty(), ProcessStart.parse("x:1"));
        assertEquals(Optional.empty(), ProcessStart.parse(""));
    }
}
