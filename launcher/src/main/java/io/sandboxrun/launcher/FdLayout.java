package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.Stdio;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which descriptor number each input of sandbox-init has in the helper (and in the app until its
 * exec), computed from what a launch passes and nothing else.
 *
 * @param stdio       the standard descriptors (of 0, 1, 2) the launcher replaces; the others are
 *                    the launcher's own, inherited
 * @param listen      the {@code --listen} sockets, from 3 up in the policy's order
 * @param plan        the sealed memfd holding the encoded plan ({@code --plan-fd})
 * @param log         the write end of the log pipe ({@code --log-fd})
 * @param control     the helper's end of the control socket; reserved even when the helper gets none
 * @param seccomp     the sealed memfd holding the BPF program
 * @param cgroupProcs one {@code cgroup.procs} file (open for writing) per cgroup hierarchy, in the
 *                    order the cgroup handle lists them
 */
record FdLayout(List<Integer> stdio, List<Integer> listen, int plan, int log, int control, int seccomp,
                List<Integer> cgroupProcs) {
    /**
     * The first listen socket: LISTEN_FDS counts from 3 (sd_listen_fds(3)), so the app finds its
     * sockets where socket-activated programs look.
     */
    static final int FIRST_LISTEN = 3;

    FdLayout {
        stdio = List.copyOf(stdio);
        listen = List.copyOf(listen);
        cgroupProcs = List.copyOf(cgroupProcs);
    }

    /**
     * The layout for a launch with these standard streams (stdin, stdout, stderr),
     * {@code listenSockets} sockets to pass and {@code cgroupHierarchies} cgroup.procs files to join.
     */
    static FdLayout of(List<Stdio> stdio, int listenSockets, int cgroupHierarchies) {
        if (stdio.size() != 3) throw new IllegalArgumentException("3 standard streams, not " + stdio.size());
        if (listenSockets < 0 || cgroupHierarchies < 0) {
            throw new IllegalArgumentException("negative count: listenSockets=" + listenSockets
                    + " cgroupHierarchies=" + cgroupHierarchies);
        }
        List<Integer> replaced = new ArrayList<>(3);
        for (int n = 0; n < 3; n++) {
            if (!(stdio.get(n) instanceof Stdio.Inherit)) replaced.add(n);
        }
        int plan = FIRST_LISTEN + listenSockets;
        // The control socket's number is fixed before anyone knows whether it is used: the seccomp
        // filter is compiled (and cached) with it, and only the compiled filter says whether it
        // needs a listener. The variable-length cgroup.procs list comes last so that it moves nothing.
        int log = plan + 1, control = plan + 2, seccomp = plan + 3;
        return new FdLayout(replaced, range(FIRST_LISTEN, listenSockets), plan, log, control, seccomp,
                range(seccomp + 1, cgroupHierarchies));
    }

    /** The helper's arguments after its path: where to read the plan and write the log. */
    List<String> helperArgs() {
        return List.of("--plan-fd", Integer.toString(plan), "--log-fd", Integer.toString(log));
    }

    private static List<Integer> range(int from, int count) {
        return IntStream.range(from, from + count).boxed().toList();
    }
}
