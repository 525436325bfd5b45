package io.sandboxrun.tests.security;

import java.util.ArrayList;
import java.util.List;

/** Host-side view of a sandbox's processes, to prove none survive. */
final class ProcessTree {
    static List<Long> descendants(long pid) {
        List<Long> all = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }

    static void awaitGone(List<Long> pids, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))) return;
            Thread.sleep(20);
        }
    }

    private ProcessTree() {}
}
