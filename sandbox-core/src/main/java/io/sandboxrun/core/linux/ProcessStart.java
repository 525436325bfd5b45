package io.sandboxrun.core.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process named so that a reused pid is not mistaken for it: its pid and its start time in
 * clock ticks after boot (proc(5), /proc/PID/stat field 22). What a launcher writes into the
 * marks of what it owns (instance cgroups, listen sockets), so that a later launcher or
 * {@code gc} can tell a live owner from a dead one.
 */
public record ProcessStart(int pid, long startTicks) {
    /** This process: read once, its pid and start time do not change. */
    public static ProcessStart self() {
        return Self.VALUE;
    }

    /** Holds {@link #self()} until its first use. */
    private static final class Self {
        static final ProcessStart VALUE = read();

        private static ProcessStart read() {
            int pid = (int) ProcessHandle.current().pid();
            return new ProcessStart(pid, startTicks(pid).orElse(0L));
        }
    }

    /** Whether the process still runs: the same pid with the same start time. */
    public boolean alive() {
        return startTicks(pid).map(t -> t == startTicks).orElse(false);
    }

    /** {@code PID:TICKS}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return pid + ":" + startTicks;
    }

    /** {@code PID:TICKS}; empty when the text is not that. */
    public static Optional<ProcessStart> parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) return Optional.empty();
        try {
            return Optional.of(new ProcessStart(Integer.parseInt(text.substring(0, colon)),
                    Long.parseLong(text.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Field 22 of /proc/PID/stat; the command name before it may hold spaces and parentheses. */
    public static Optional<Long> startTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(rest[19]));   // fields 3.. follow ") "; 22 - 3 = 19
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
