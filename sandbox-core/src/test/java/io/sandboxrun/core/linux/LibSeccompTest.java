package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.LibSeccomp.Action;
import io.sandboxrun.core.linux.LibSeccomp.ArgCmp;
import io.sandboxrun.core.linux.LibSeccomp.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The libseccomp binding: struct layout, name resolution, rules, export, and its error mapping. */
class LibSeccompTest {
    private static final int CLONE = LibSeccomp.resolveName("clone");

    @Test
    void argCmpStructIsTwentyFourBytesAsInSeccompH() {
        // unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b: 4 + 4 + 8 + 8
        assertEquals(24, LibSeccomp.argCmpSize());
    }

    @Test
    void libraryIsAvailableWithItsVersion() {
        var a = LibSeccomp.availability();
        assertTrue(a.available(), a.detail());
        assertEquals("libseccomp " + LibSeccomp.version(), a.detail());
        assertTrue(LibSeccomp.version().major() == 2 && LibSeccomp.version().minor() >= 5, a.detail());
    }

    @Test
    void namesResolveBothWaysForTheNativeArchitecture() {
        assertTrue(CLONE >= 0);
        assertEquals("clone", LibSeccomp.resolveNum(CLONE));
        assertEquals("read", LibSeccomp.resolveNum(LibSeccomp.resolveName("read")));
        assertEquals(LibSeccomp.UNKNOWN_SYSCALL, LibSeccomp.resolveName("no_such_syscall"));
        assertNull(LibSeccomp.resolveNum(99_999));
    }

    @Test
    void aSyscallOfAnotherArchitectureResolvesToAPseudoNumber() {
        // _llseek exists on 32-bit ABIs only: libseccomp knows it, with a negative pseudo number.
        int nr = LibSeccomp.resolveName("_llseek");
        assertTrue(nr < LibSeccomp.UNKNOWN_SYSCALL, "got " + nr);
    }

    @Test
    void exportsBpfInWholeInstructionsAndPfcWithTheComparisons() {
        try (var f = LibSeccomp.create(Action.ALLOW)) {
            f.setBadArchAction(Action.KILL_PROCESS);
            f.setOptimize(2);
            f.setNoNewPrivs(false);
            f.addRule(Action.errno(Errno.EPERM), CLONE, List.of(new ArgCmp(0, Op.MASKED_EQ, 0x10000000L, 0x10000000L)));
            f.addRule(Action.NOTIFY, LibSeccomp.resolveName("execve"), List.of());
            byte[] bpf = f.exportBpf();
            assertTrue(bpf.length > 0 && bpf.length % LibSeccomp.BPF_INSTRUCTION_SIZE == 0, "length " + bpf.length);
            assertArrayEquals(bpf, f.exportBpf());
            String pfc = f.exportPfc();
            assertTrue(pfc.contains("if ($a0.lo32 & 0x10000000 == 268435456)"), pfc);
            assertTrue(pfc.contains("action ERRNO(1);"), pfc);
            assertTrue(pfc.contains("action 0x7fc00000;"), pfc);   // libseccomp 2.5 prints NOTIFY by value
            assertTrue(pfc.contains("action KILL_PROCESS;"), pfc);
        }
    }

    @Test
    void aRuleWithTheDefaultActionIsRefusedWithTheCallNamed() {
        try (var f = LibSeccomp.create(Action.ALLOW)) {
            var e = assertThrows(SyscallException.class, () -> f.addRule(Action.ALLOW, CLONE, List.of()));
            assertEquals("seccomp_rule_add_array", e.call());
            assertEquals(Errno.EACCES, e.errno());
            assertEquals("seccomp_rule_add_array(ALLOW, syscall " + CLONE + ", []): EACCES (Permission denied)",
                    e.getMessage());
        }
    }

    @Test
    void twoComparisonsOfOneArgumentAreRefused() {
        try (var f = LibSeccomp.create(Action.ALLOW)) {
            var e = assertThrows(SyscallException.class, () -> f.addRule(Action.errno(1), CLONE,
                    List.of(new ArgCmp(0, Op.GT, 1, 0), new ArgCmp(0, Op.LT, 9, 0))));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    @Test
    void aReleasedFilterCannotBeUsedAndCloseIsIdempotent() {
        var f = LibSeccomp.create(Action.errno(Errno.EPERM));
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, f::exportBpf);
    }

    @Test
    void actionsPrintAsLibseccompNamesThem() {
        assertEquals("ERRNO(38)", Action.errno(38).toString());
        assertEquals("TRACE(7)", Action.trace(7).toString());
        assertEquals("KILL_PROCESS", Action.KILL_PROCESS.toString());
        assertEquals(0x7fc00000, Action.NOTIFY.value());
        assertEquals(0x00050001, Action.errno(1).value());
        assertThrows(IllegalArgumentException.class, () -> Action.errno(70_000));
        assertThrows(IllegalArgumentException.class, () -> new ArgCmp(6, Op.EQ, 0, 0));
    }
}
