package io.sandboxrun.seccomp.compile;

import static io.sandboxrun.seccomp.compile.BpfInterpreter.AUDIT_ARCH_I386;
import static io.sandboxrun.seccomp.compile.BpfInterpreter.AUDIT_ARCH_X86_64;
import static io.sandboxrun.seccomp.compile.BpfInterpreter.X32_SYSCALL_BIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.ArgCondition;
import io.sandboxrun.seccomp.Comparison;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileException;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.SyscallEntry;
import io.sandboxrun.seccomp.Syscalls;
import io.sandboxrun.seccomp.compile.CompileOptions.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiler, checked on the programs it exports: a BPF interpreter runs each bundled profile's
 * program, in every mode, over every syscall number with chosen and random arguments, and its
 * answer must be what the rule table says the filter does.
 */
class BpfCompilerTest {
    static final int FD = 5;

    static List<Object[]> profilesAndModes() {
        List<Object[]> out = new ArrayList<>();
        for (String p : ProfileLoader.BUNDLED) for (Mode m : Mode.values()) out.add(new Object[] {p, m});
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("profilesAndModes")
    void theProgramDecidesEveryCallAsTheRuleTableSays(String name, Mode mode) {
        for (int variant = 0; variant < 4; variant++) {
            boolean tree = variant % 2 == 0, redirect = variant >= 2;
            CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled(name), new CompileOptions(tree, mode, FD, redirect));
            assertEquals(f.program().length / 8, f.instructions());
            Random random = new Random(42);
            for (int nr = 0; nr < 480; nr++) {
                for (long[] args : samples(random)) {
                    Action expected = f.rules().decide(nr, args).filterAction();
                    int got = BpfInterpreter.run(f.program(), nr, AUDIT_ARCH_X86_64, args);
                    int call = nr;
                    assertEquals(expected.toLibseccomp().value(), got, () -> name + " " + mode + " " + Syscalls.name(call)
                            + " " + java.util.Arrays.toString(args) + ": " + f.rules().decide(call, args));
                }
            }
        }
    }

    /** Arguments that hit the bundled rules' edges (their values, with high bits, sign-extended), and random ones. */
    private static List<long[]> samples(Random random) {
        long[] interesting = {0, 1, 2, 3, 8, 10, 15, 16, 17, 21, 30, 38, 40, FD, 0x20008, 0x20009, 0xffffffffL,
                0x5401, 0x5412, 0x541c, 0x5413, 0x1_0000_5412L, 0xffffffff_80045430L, 0x80045430L, 0x53564d41L,
                0x10000, 0x10000 | 0x100 | 0x800, 0x10000 | 0x10000000, 0x11, 0x01200011, 0x4111, 0x20000,
                0x40000000, 0x1_0000_0011L, 0x802, 0x80803, -1L};
        List<long[]> out = new ArrayList<>();
        for (long a : interesting) {
            out.add(new long[] {a, a, a, 0, 0, 0});
            out.add(new long[] {a, 0, 0, 0, 0, 0});
            out.add(new long[] {0, a, 0, 0, 0, 0});
            out.add(new long[] {a, 3, 9, 0, 0, 0});
            out.add(new long[] {2, a, 0, 0, 0, 0});
            out.add(new long[] {16, a, 0, 0, 0, 0});
        }
        for (int i = 0; i < 20; i++) {
            out.add(new long[] {random.nextLong(), random.nextLong(), random.nextInt(64), random.nextLong(), 0, 0});
        }
        return out;
    }

    @Test
    void theConnectRedirectNotifiesEveryConnectAndKeepsTheProfilesVerdictInTheTable() {
        int connect = Syscalls.number("connect");
        for (String name : ProfileLoader.BUNDLED) {
            CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled(name),
                    new CompileOptions(true, Mode.NOTIFY_DENIALS, FD, true));
            assertTrue(f.needsListener(), name);
            for (long fd : new long[] {0, 3, FD, 1000}) {
                RuleTable.Decision d = f.rules().decide(connect, new long[] {fd, 0x1000, 16, 0, 0, 0});
                assertEquals(Action.NOTIFY, d.filterAction(), name);
                assertEquals(Action.ALLOW, d.action(), name + ": every bundled profile lets the app connect");
                assertEquals(Action.NOTIFY.toLibseccomp().value(),
                        BpfInterpreter.run(f.program(), connect, AUDIT_ARCH_X86_64, new long[] {fd, 0x1000, 16, 0, 0, 0}));
            }
            assertTrue(f.rules().explain("connect").contains("via NOTIFY"), f.rules().explain("connect"));
        }
        CompiledFilter plain = BpfCompiler.compile(ProfileLoader.bundled("default"), new CompileOptions(true, Mode.NOTIFY_DENIALS, FD));
        assertEquals(Action.ALLOW, plain.rules().decide(connect, new long[6]).filterAction());
    }

    @Test
    void otherAbisAreKilledNotDenied() {
        for (String name : ProfileLoader.BUNDLED) {
            byte[] program = BpfCompiler.compile(ProfileLoader.bundled(name), CompileOptions.DEFAULT).program();
            int read = Syscalls.number("read");
            // i386 through int 0x80: another audit arch
            assertEquals(0x80000000, BpfInterpreter.run(program, 3, AUDIT_ARCH_I386, new long[6]), name);
            // x32: the x86_64 arch token with bit 30 in the number
            assertEquals(0x80000000, BpfInterpreter.run(program, X32_SYSCALL_BIT | read, AUDIT_ARCH_X86_64, new long[6]), name);
        }
    }

    @Test
    void strictAllowsThreadsAndRefusesProcessesAndNotifiesExec() {
        CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled("strict"), CompileOptions.DEFAULT.withBootstrapFd(FD));
        int clone = Syscalls.number("clone");
        long thread = 0x3d0f00;   // glibc's pthread_create: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
        assertEquals(Action.ALLOW, run(f, "clone", thread));
        assertEquals(Action.errno(Errno.EPERM), run(f, "clone", 0x01200011));           // glibc fork()
        assertEquals(Action.errno(Errno.EPERM), run(f, "clone", 0x4111));              // posix_spawn: VM|VFORK|SIGCHLD
        assertEquals(Action.errno(Errno.EPERM), run(f, "clone", thread | 0x10000000)); // a thread in a new user ns
        assertEquals(Action.errno(Errno.ENOSYS), run(f, "clone3", 0));
        assertEquals(Action.errno(Errno.EPERM), run(f, "fork", 0));
        assertEquals(Action.NOTIFY, run(f, "execve", 0));
        assertTrue(f.needsListener());
        assertEquals(Action.ALLOW, f.rules().decide(clone, new long[] {thread}).action());
        // python allows every sendmsg, so the hand-over needs no rule of its own
        assertTrue(f.rules().rows().stream().noneMatch(r -> r.entry() == BpfCompiler.BOOTSTRAP_ENTRY));
    }

    @Test
    void defaultDeniesPacketRawAndNetlinkSocketsButNotRouteQueries() {
        CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled("default"), CompileOptions.DEFAULT);
        Action eperm = Action.errno(Errno.EPERM);
        assertEquals(eperm, run(f, "socket", 17, 3, 0x300));                     // AF_PACKET, SOCK_RAW
        assertEquals(eperm, run(f, "socket", 0x1_0000_0011L, 2, 0));             // the kernel reads 32 bits: still AF_PACKET
        assertEquals(eperm, run(f, "socket", 2, 3 | 0x80000, 1));                // AF_INET, SOCK_RAW|SOCK_CLOEXEC
        assertEquals(eperm, run(f, "socket", 16, 3, 9));                         // NETLINK_AUDIT
        assertEquals(Action.ALLOW, run(f, "socket", 16, 3 | 0x80000, 0));        // NETLINK_ROUTE, as getaddrinfo opens it
        assertEquals(Action.ALLOW, run(f, "socket", 2, 1 | 0x80800, 6));         // TCP
        assertEquals(eperm, run(f, "socket", 40, 1, 0));                         // AF_VSOCK
        assertEquals(eperm, run(f, "ioctl", 0, 0x5412));                         // TIOCSTI
        assertEquals(eperm, run(f, "ioctl", 0, 0x7_0000_541cL));                 // TIOCLINUX with junk above 32 bits
        assertEquals(Action.ALLOW, run(f, "ioctl", 0, 0x5413));                  // TIOCGWINSZ
        assertEquals(eperm, run(f, "clone", 0x10000000 | 0x11));                 // CLONE_NEWUSER
        assertEquals(Action.ALLOW, run(f, "clone", 0x01200011));                 // fork
        assertEquals(Action.errno(Errno.ENOSYS), run(f, "clone3", 0));
        assertEquals(eperm, run(f, "personality", 0x40000));                     // ADDR_NO_RANDOMIZE
        assertEquals(Action.ALLOW, run(f, "personality", 8));
        assertEquals(eperm, run(f, "mount", 0));
        assertEquals(Action.ALLOW, run(f, "seccomp", 0));
        assertFalse(f.needsListener());
    }

    @Test
    void pythonAllowsTheIoctlsItListsOnThirtyTwoBitsOnly() {
        CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled("python"), CompileOptions.DEFAULT);
        assertEquals(Action.ALLOW, run(f, "ioctl", 1, 0x5401));                   // TCGETS
        assertEquals(Action.ALLOW, run(f, "ioctl", 1, 0xffffffff_80045430L));     // TIOCGPTN, sign-extended by musl
        assertEquals(Action.errno(Errno.EPERM), run(f, "ioctl", 1, 0x5412));      // TIOCSTI
        assertEquals(Action.errno(Errno.EPERM), run(f, "ioctl", 1, 0x1_0000_5412L));
        assertEquals(Action.ALLOW, run(f, "socket", 10, 2, 17));                 // UDP over IPv6
        assertEquals(Action.errno(Errno.EPERM), run(f, "socket", 2, 5, 132));    // SCTP
        assertEquals(Action.errno(Errno.EPERM), run(f, "mount", 0));
    }

    @Test
    void notifyDenialsNotifiesEveryDenialButKeepsEnosysInTheKernel() {
        CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled("python"),
                CompileOptions.DEFAULT.withMode(Mode.NOTIFY_DENIALS).withBootstrapFd(FD));
        int mount = Syscalls.number("mount");
        assertEquals(Action.NOTIFY, run(f, "mount", 0));
        assertEquals(Action.errno(Errno.EPERM), f.rules().decide(mount, new long[6]).action());
        assertEquals(Action.errno(Errno.ENOSYS), run(f, "clone3", 0));
        assertEquals(Action.NOTIFY, run(f, "ioctl", 1, 0x5412));
        assertEquals(Action.ALLOW, run(f, "sendmsg", FD));
        assertTrue(f.needsListener());
        assertEquals(Action.NOTIFY, f.rules().defaultFilterAction());
    }

    @Test
    void learnNotifiesEverythingExceptTheListenerHandOver() {
        CompiledFilter f = BpfCompiler.compile(ProfileLoader.bundled("strict"),
                CompileOptions.DEFAULT.withMode(Mode.LEARN).withBootstrapFd(FD));
        assertEquals(Action.ALLOW, run(f, "sendmsg", FD));
        assertEquals(Action.NOTIFY, run(f, "sendmsg", FD + 1));
        assertEquals(Action.NOTIFY, run(f, "read", 0));
        // clone3 stays ENOSYS in the kernel while learning, so glibc uses clone (checkable) instead
        assertEquals(Action.errno(38), run(f, "clone3", 0));
        RuleTable.Row first = f.rules().rows().get(0);
        assertEquals(BpfCompiler.BOOTSTRAP_ENTRY, first.entry());
        assertEquals("sendmsg", first.syscall());
        assertEquals("arg0 == 0x5".replace("0x5", "5"), first.condition());
        // the profile's own answer is still there for the learner to compare with
        assertEquals(Action.errno(Errno.EPERM), f.rules().decide(Syscalls.number("mount"), new long[6]).action());
    }

    @Test
    void aProfileThatDeniesSendmsgGetsItsRuleNarrowedAroundTheHandOver() {
        Profile p = Profile.of("test", Action.ALLOW, List.of(
                SyscallEntry.of(List.of("sendmsg"), Action.errno(Errno.EACCES), "no sendmsg"),
                SyscallEntry.of(List.of("execve"), Action.NOTIFY, "supervised")));
        CompiledFilter f = BpfCompiler.compile(p, CompileOptions.DEFAULT.withBootstrapFd(FD));
        assertEquals(Action.ALLOW, run(f, "sendmsg", FD));
        assertEquals(Action.errno(Errno.EACCES), run(f, "sendmsg", 7));
        assertEquals(Action.NOTIFY, run(f, "execve", 0));
    }

    @Test
    void aHandOverThatCannotBeOrderedIsAnError() {
        Profile p = Profile.of("test", Action.NOTIFY, List.of(new SyscallEntry(List.of("sendmsg"), Action.errno(Errno.EACCES),
                List.of(ArgCondition.of(0, Comparison.LT, 100)), null, null, null)));
        ProfileException e = assertThrows(ProfileException.class,
                () -> BpfCompiler.compile(p, CompileOptions.DEFAULT.withBootstrapFd(FD)));
        assertEquals("test: syscalls[0]: \"sendmsg\" ERRNO(EACCES) if arg0 < 0x64 can match the helper's sendmsg on fd 5,"
                + " which hands the notification listener over and must be allowed; compare arg0 so that it excludes that"
                + " fd, or allow sendmsg", e.getMessage());
    }

    @Test
    void conflictingRulesBuiltInCodeAreRefused() {
        Profile p = Profile.of("code", Action.ALLOW, List.of(
                new SyscallEntry(List.of("personality"), Action.LOG, List.of(ArgCondition.of(0, Comparison.EQ, 8)), null, null, null),
                SyscallEntry.of(List.of("personality"), Action.errno(1), null)));
        ProfileException e = assertThrows(ProfileException.class, () -> BpfCompiler.compile(p, CompileOptions.DEFAULT));
        assertEquals("code: syscalls[1]: \"personality\" ERRNO(EPERM) can match the same calls as syscalls[0] (LOG if"
                + " arg0 == 8), which comes first with another action; a compiled filter cannot keep that order: make"
                + " their arguments exclusive or their actions the same", e.getMessage());
    }

    @Test
    void repeatedAndOverlappingRulesWithOneActionCompile() {
        Profile p = ProfileLoader.parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                + "{\"names\": [\"read\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                + "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_GT\"}]},"
                + "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_GT\"}]},"
                + "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_LT\"}]},"
                + "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", "same.json");
        CompiledFilter f = BpfCompiler.compile(p, CompileOptions.DEFAULT);
        assertEquals(Action.ALLOW, run(f, "read", 0));
        assertEquals(Action.LOG, run(f, "write", 100));
        assertEquals(Action.LOG, run(f, "write", 1));
        for (long fd = 0; fd < 20; fd++) {
            assertEquals(f.rules().decide(Syscalls.number("write"), new long[] {fd}).filterAction(), run(f, "write", fd));
        }
    }

    @Test
    void theBinaryTreeShortensTheWayToEachSyscall() {
        for (String name : List.of("python", "strict")) {
            Profile p = ProfileLoader.bundled(name);
            byte[] tree = BpfCompiler.compile(p, CompileOptions.DEFAULT).program();
            byte[] linear = BpfCompiler.compile(p, CompileOptions.DEFAULT.withBinaryTree(false)).program();
            long treeSteps = 0, linearSteps = 0;
            for (int nr = 0; nr < 450; nr++) {
                treeSteps += BpfInterpreter.steps(tree, nr, AUDIT_ARCH_X86_64, new long[6]);
                linearSteps += BpfInterpreter.steps(linear, nr, AUDIT_ARCH_X86_64, new long[6]);
            }
            assertTrue(treeSteps * 3 < linearSteps, name + ": " + treeSteps + " vs " + linearSteps + " instructions run");
        }
    }

    @Test
    void pseudoFilterCodeShowsTheComparisons() {
        String strict = BpfCompiler.pfc(ProfileLoader.bundled("strict"), CompileOptions.DEFAULT);
        assertTrue(strict.contains("if ($a0.lo32 & 0x7e030000 == 65536)"), strict);
        String dflt = BpfCompiler.pfc(ProfileLoader.bundled("default"), CompileOptions.DEFAULT);
        assertTrue(dflt.contains("if ($a1.lo32 & 0xffffffff == 21522)"), dflt);   // TIOCSTI
        assertTrue(dflt.contains("if ($a0.lo32 & 0xffffffff == 17)"), dflt);      // AF_PACKET
        assertTrue(dflt.contains("action KILL_PROCESS;"), dflt);
    }

    @Test
    void theHashCoversContentAndOptionsButNotTheSourceName() {
        Profile a = ProfileLoader.bundled("python");
        Profile b = new Profile("elsewhere.json", a.defaultAction(), a.architectures(), a.flags(), a.syscalls(), List.of());
        assertEquals(BpfCompiler.compile(a, CompileOptions.DEFAULT).sha256(), BpfCompiler.compile(b, CompileOptions.DEFAULT).sha256());
        assertNotEquals(BpfCompiler.compile(a, CompileOptions.DEFAULT).sha256(),
                BpfCompiler.compile(a, CompileOptions.DEFAULT.withMode(Mode.NOTIFY_DENIALS)).sha256());
    }

    private static Action run(CompiledFilter f, String syscall, long... args) {
        int got = BpfInterpreter.run(f.program(), Syscalls.number(syscall), AUDIT_ARCH_X86_64, args);
        for (Action a : List.of(Action.ALLOW, Action.NOTIFY, Action.LOG, Action.KILL_PROCESS, Action.KILL_THREAD, Action.TRAP)) {
            if (a.toLibseccomp().value() == got) return a;
        }
        if ((got & 0xffff0000) == 0x00050000) return Action.errno(got & 0xffff);
        throw new AssertionError(String.format("unexpected return 0x%08x", got));
    }
}
