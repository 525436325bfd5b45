package io.sandboxrun.cgroup;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kernel's control-file formats, on samples copied from real files (v2 and v1). */
class ControlFilesTest {
    static final String CPU_STAT_V2 = """
            usage_usec 63848
            user_usec 31924
            system_usec 31924
            core_sched.force_idle_usec 0
            nr_periods 12
            nr_throttled 3
            throttled_usec 45117
            nr_bursts 0
            burst_usec 0
            """;

    static final String CPU_STAT_V1 = """
            nr_periods 40
            nr_throttled 7
            throttled_time 812345678
            nr_bursts 0
            burst_time 0
            """;

    static final String MEMORY_EVENTS = """
            low 0
            high 17
            max 4
            oom 1
            oom_kill 1
            oom_group_kill 0
            """;

    static final String MEMORY_STAT_V2 = """
            anon 1302528
            file 1757184
            kernel 552960
            kernel_stack 49152
            pagetables 147456
            sec_pagetables 0
            percpu 0
            sock 0
            vmalloc 0
            shmem 0
            zswap 0
            zswapped 0
            file_mapped 1470464
            anon_thp 0
            pgfault 2133
            workingset_refault_anon 0
            """;

    static final String MEMORY_OOM_CONTROL_V1 = """
            oom_kill_disable 0
            under_oom 0
            oom_kill 2
            """;

    static final String CGROUP_EVENTS = "populated 1\nfrozen 0\n";

    @Test
    void keyedFiles() {
        Map<String, Long> cpu = ControlFiles.keyed(CPU_STAT_V2);
        assertEquals(63848L, cpu.get("usage_usec"));
        assertEquals(31924L, cpu.get("user_usec"));
        assertEquals(45117L, cpu.get("throttled_usec"));
        assertEquals(3L, cpu.get("nr_throttled"));
        assertEquals(0L, cpu.get("core_sched.force_idle_usec"));

        assertEquals(812345678L, ControlFiles.keyed(CPU_STAT_V1).get("throttled_time"));
        assertEquals(1L, ControlFiles.keyed(MEMORY_EVENTS).get("oom_kill"));
        assertEquals(17L, ControlFiles.keyed(MEMORY_EVENTS).get("high"));
        assertEquals(2L, ControlFiles.keyed(MEMORY_OOM_CONTROL_V1).get("oom_kill"));
        assertEquals(1302528L, ControlFiles.keyed(MEMORY_STAT_V2).get("anon"));
        assertEquals(16, ControlFiles.keyed(MEMORY_STAT_V2).size());
        assertEquals(Map.of("populated", 1L, "frozen", 0L), ControlFiles.keyed(CGROUP_EVENTS));
        // pids.events: v1 and v2 before 6.x have "max N"; newer v2 adds max.imposed.
        assertEquals(Map.of("max", 5L), ControlFiles.keyed("max 5\n"));
        assertEquals(Map.of("max", 5L, "max.imposed", 5L), ControlFiles.keyed("max 5\nmax.imposed 5\n"));
    }

    @Test
    void keyedSkipsWhatIsNotAFigure() {
        // memory.max-like values in a keyed file, nested keys (memory.stat of v1 hierarchy totals), blank lines.
        assertEquals(Map.of("b", 2L), ControlFiles.keyed("a max\nb 2\n\n   \nc 1 2\nd\n"));
        assertEquals(Map.of(), ControlFiles.keyed(""));
    }

    @Test
    void numberFiles() {
        assertEquals(Optional.of(4096L), ControlFiles.number(Optional.of("4096\n")));   // memory.current, pids.current
        assertEquals(Optional.empty(), ControlFiles.number(Optional.of("max\n")));      // pids.max, memory.max
        assertEquals(Optional.of(9223372036854771712L),                                 // v1 memory.limit_in_bytes unset
                ControlFiles.number(Optional.of("9223372036854771712\n")));
        assertEquals(Optional.of(-1L), ControlFiles.number(Optional.of("-1\n")));       // v1 cpu.cfs_quota_us unset
        assertEquals(Optional.empty(), ControlFiles.number(Optional.empty()));
        assertEquals(Optional.empty(), ControlFiles.number(Optional.of("")));
    }

    @Test
    void wordLists() {
        assertEquals(List.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"),
                List.copyOf(ControlFiles.words(Optional.of("cpuset cpu io memory hugetlb pids rdma misc\n"))));
        assertEquals(Set.of(), ControlFiles.words(Optional.of("\n")));
        assertEquals(Set.of(), ControlFiles.words(Optional.empty()));
    }

    @Test
    void pressureWithSomeAndFull() {
        Pressure p = Pressure.parse("""
                some avg10=0.03 avg60=1.25 avg300=0.00 total=37876
                full avg10=0.02 avg60=0.50 avg300=0.00 total=33455
                """).orElseThrow();
        assertEquals(new Pressure(0.03, 1.25, 37876, 0.02, 33455L), p);
    }

    @Test
    void pressureSomeOnly() {
        // The system-wide /proc/pressure/cpu before Linux 5.13 has no full line.
        Pressure p = Pressure.parse("some avg10=12.50 avg60=3.00 avg300=0.80 total=123456789\n").orElseThrow();
        assertEquals(12.5, p.someAvg10());
        assertEquals(3.0, p.someAvg60());
        assertEquals(123456789L, p.someTotalUsec());
        assertNull(p.fullAvg10());
        assertNull(p.fullTotalUsec());
    }

    @Test
    void pressureEmptyOrUnreadable() {
        assertFalse(Pressure.parse("").isPresent());
        assertFalse(Pressure.parse("\n").isPresent());
    }
}
