package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.launch.Stdio;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The helper's descriptor numbers: listen sockets from 3, then plan, log, control, seccomp, cgroup.procs. */
class FdLayoutTest {
    private static final List<Stdio> INHERITED = List.of(Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT);

    @Test
    void withoutListenSocketsOrCgroupsThePlanIsFd3() {
        FdLayout l = FdLayout.of(INHERITED, 0, 0);

        assertEquals(new FdLayout(List.of(), List.of(), 3, 4, 5, 6, List.of()), l);
    }

    @Test
    void listenSocketsTakeFd3OnwardsAndPushTheRestUp() {
        FdLayout l = FdLayout.of(INHERITED, 3, 0);

        assertEquals(List.of(3, 4, 5), l.listen());
        assertEquals(6, l.plan());
        assertEquals(7, l.log());
        assertEquals(8, l.control());
        assertEquals(9, l.seccomp());
    }

    @Test
    void oneCgroupProcsPerHierarchyComesAfterTheSeccompProgram() {
        assertEquals(List.of(8), FdLayout.of(INHERITED, 1, 1).cgroupProcs());
        // v1 or hybrid: one per hierarchy, in the handle's order; nothing before them moves
        FdLayout v1 = FdLayout.of(INHERITED, 1, 4);
        assertEquals(List.of(8, 9, 10, 11), v1.cgroupProcs());
        assertEquals(FdLayout.of(INHERITED, 1, 0).seccomp(), v1.seccomp());
    }

    @Test
    void onlyTheStreamsNotInheritedAreReplaced() {
        assertEquals(List.of(), FdLayout.of(INHERITED, 0, 0).stdio());
        assertEquals(List.of(0, 1, 2), FdLayout.of(List.of(Stdio.PIPE, Stdio.PIPE, Stdio.PIPE), 0, 0).stdio());
        assertEquals(List.of(0, 2), FdLayout.of(List.of(Stdio.NULL, Stdio.INHERIT,
                new Stdio.File(Path.of("/tmp/err"), true)), 0, 0).stdio());
        assertEquals(List.of(1), FdLayout.of(List.of(Stdio.INHERIT, Stdio.PIPE, Stdio.INHERIT), 0, 0).stdio());
    }

    @Test
    void stdioDoesNotMoveAnyOtherNumber() {
        FdLayout inherited = FdLayout.of(INHERITED, 2, 2);
        FdLayout piped = FdLayout.of(List.of(Stdio.PIPE, Stdio.PIPE, Stdio.PIPE), 2, 2);

        assertEquals(new FdLayout(List.of(0, 1, 2), inherited.listen(), inherited.plan(), inherited.log(),
                inherited.control(), inherited.seccomp(), inherited.cgroupProcs()), piped);
    }

    @Test
    void everyNumberIsDistinctAndAboveStdio() {
        for (int listen = 0; listen <= 5; listen++) {
            for (int procs = 0; procs <= 16; procs++) {
                FdLayout l = FdLayout.of(INHERITED, listen, procs);
                List<Integer> all = new ArrayList<>(l.listen());
                all.addAll(List.of(l.plan(), l.log(), l.control(), l.seccomp()));
                all.addAll(l.cgroupProcs());
                Set<Integer> distinct = new HashSet<>(all);
                assertEquals(all.size(), distinct.size(), l.toString());
                assertEquals(3, all.stream().mapToInt(Integer::intValue).min().getAsInt(), l.toString());
                // contiguous from 3: nothing is numbered higher than the count needs
                assertEquals(2 + all.size(), all.stream().mapToInt(Integer::intValue).max().getAsInt(), l.toString());
            }
        }
    }

    @Test
    void theHelperIsToldWhereThePlanAndTheLogAre() {
        assertEquals(List.of("--plan-fd", "5", "--log-fd", "6"), FdLayout.of(INHERITED, 2, 1).helperArgs());
    }

    @Test
    void badCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FdLayout.of(INHERITED, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> FdLayout.of(INHERITED, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> FdLayout.of(List.of(Stdio.INHERIT), 0, 0));
    }
}
