package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.Denial;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts one instance's refused syscalls by name, keeping the first few argument summaries. */
final class DenialLog {
    static final int EXAMPLES = 3;

    private static final class Entry {
        final int errno;
        long count;
        final List<String> examples = new ArrayList<>();

        Entry(int errno) { this.errno = errno; }
    }

    private final Map<String, Entry> bySyscall = new LinkedHashMap<>();

    /**
     * Records one refusal; returns true when it is the first of this syscall (worth a log line).
     * The summary is only built for the first few: a hot refusal loop pays a counter increment.
     */
    synchronized boolean record(String syscall, int errno, long[] args) {
        Entry e = bySyscall.computeIfAbsent(syscall, k -> new Entry(errno));
        e.count++;
        if (e.examples.size() < EXAMPLES) e.examples.add(summary(args));
        return e.count == 1;
    }

    /** {@code 0x1,0x7ffd...}: the six argument registers in hex. */
    static String summary(long[] args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            if (i > 0) b.append(',');
            b.append("0x").append(Long.toHexString(args[i]));
        }
        return b.toString();
    }

    /** Most frequent first. */
    synchronized List<Denial> snapshot() {
        List<Denial> out = new ArrayList<>();
        bySyscall.forEach((name, e) -> out.add(new Denial(name, e.errno, e.count, e.examples)));
        out.sort(Comparator.comparingLong(Denial::count).reversed().thenComparing(Denial::syscall));
        return out;
    }
}
