package io.sandboxrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.seccomp.compile.BpfCompiler;
import io.sandboxrun.seccomp.compile.CompileOptions;
import io.sandboxrun.seccomp.compile.RuleTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnedProfileTest {
    static final long CLONE_THREAD = 0x10000, CLONE_NEWUSER = 0x10000000;

    private static Action decide(RuleTable t, String syscall, long arg0) {
        return t.decide(Syscalls.number(syscall), new long[] {arg0, 0, 0, 0, 0, 0}).action();
    }

    @Test
    void allowsWhatTheRunMadeAndKeepsTheBundledCloneRules() {
        Profile p = LearnedProfile.of("learnt.json", List.of("write", "read", "clone", "clone3", "read"));
        RuleTable t = BpfCompiler.compile(p, CompileOptions.DEFAULT).rules();
        assertEquals(Action.ALLOW, decide(t, "read", 0));
        assertEquals(Action.ALLOW, decide(t, "write", 0));
        assertEquals(Action.ALLOW, decide(t, "clone", CLONE_THREAD));
        assertEquals(Action.errno(1), decide(t, "clone", CLONE_THREAD | CLONE_NEWUSER));
        assertEquals(Action.errno(38), decide(t, "clone3", 0));
        assertEquals(Action.errno(1), decide(t, "mount", 0));
    }

    @Test
    void roundTripsThroughItsJson() {
        Profile p = LearnedProfile.of("learnt.json", List.of("read", "clone"));
        Profile back = ProfileLoader.parse(ProfileWriter.toJson(p), "learnt.json");
        assertEquals(ProfileWriter.canonical(p), ProfileWriter.canonical(back));
    }
}
