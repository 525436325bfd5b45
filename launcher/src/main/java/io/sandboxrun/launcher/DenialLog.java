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

    /** Records one refusal; returns true when it is the first of this syscall (worth a log line). */
    synchronized boolean record(String syscall, int errno, String argsSummary) {
        Entry e = bySyscall.computeIfAbsent(syscall, k -> new Entry(errno));
        e.count++;
        if (e.examples.size() < EXAMPLES) e.examples.add(argsSummary);
        return e.count == 1;
    }

    /** Most frequent first. */
    synchronized List<Denial> snapshot() {
        List<Denial> out = new ArrayList<>();
        bySyscall.forEach((name, e) -> out.add(new Denial(name, e.errno, e.count, e.examples)));
        out.sort(Comparator.comparingLong(Denial::count).reversed().thenComparing(Denial::syscall));
        return out;
    }
}
