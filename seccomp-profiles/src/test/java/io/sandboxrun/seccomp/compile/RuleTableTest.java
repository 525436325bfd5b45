package io.sandboxrun.seccomp.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.ProfileException;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.Syscalls;
import io.sandboxrun.seccomp.compile.CompileOptions.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule table: decisions in profile order with the profile's own actions, and the explanations. */
class RuleTableTest {
    private static final long GLIBC_THREAD = 0x3d0f00, GLIBC_FORK = 0x01200011;

    private static RuleTable table(String profile, Mode mode) {
        return BpfCompiler.compile(ProfileLoader.bundled(profile), CompileOptions.DEFAULT.withMode(mode).withBootstrapFd(4)).rules();
    }

    private static RuleTable.Decision decide(RuleTable t, String syscall, long... args) {
        return t.decide(Syscalls.number(syscall), args);
    }

    @Test
    void decidesByTheFirstMatchingRuleWithTheProfilesAction() {
        RuleTable strict = table("strict", Mode.ENFORCE);
        RuleTable.Decision thread = decide(strict, "clone", GLIBC_THREAD);
        assertEquals(Action.ALLOW, thread.action());
        assertEquals("clone", thread.syscall());
        RuleTable.Decision fork = decide(strict, "clone", GLIBC_FORK);
        assertEquals(Action.errno(Errno.EPERM), fork.action());
        assertEquals("Every other clone makes a process (fork, posix_spawn, subprocess): EPERM, as the patched CPython"
                + " refused os.fork.", fork.rule().comment());
        RuleTable.Decision mount = decide(strict, "mount");
        assertTrue(mount.byDefault());
        assertNull(mount.rule());

        RuleTable dflt = table("default", Mode.ENFORCE);
        assertEquals(Action.errno(Errno.EPERM), decide(dflt, "socket", 17, 3, 0).action());
        assertEquals(Action.ALLOW, decide(dflt, "socket", 16, 3, 0).action());
        assertEquals(Action.errno(Errno.EPERM), decide(dflt, "ioctl", 0, 0x5412).action());
        assertTrue(decide(table("python", Mode.ENFORCE), "ioctl", 0, 0x5412).byDefault());
    }

    @Test
    void aNotifiedDenialKeepsItsErrnoForTheAnswer() {
        RuleTable t = table("strict", Mode.NOTIFY_DENIALS);
        RuleTable.Decision fork = decide(t, "clone", GLIBC_FORK);
        assertEquals(Action.errno(Errno.EPERM), fork.action());
        assertEquals(Action.NOTIFY, fork.filterAction());
        assertEquals(Action.NOTIFY, decide(t, "execve").action());
        assertEquals(Action.errno(Errno.ENOSYS), decide(t, "clone3").filterAction());
    }

    @Test
    void decidingAnUnknownNumberFallsToTheDefault() {
        RuleTable.Decision d = table("python", Mode.ENFORCE).decide(999, new long[0]);
        assertEquals("syscall 999", d.syscall());
        assertEquals(Action.errno(Errno.EPERM), d.action());
    }

    @Test
    void explainsOneSyscallInOneLine() {
        assertEquals("clone: ALLOW if arg0 & 0x7e030000 == 0x10000 (CLONE_THREAD; none of CLONE_NEWNS|CLONE_NEWCGROUP|"
                + "CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET); otherwise ERRNO(EPERM)",
                table("strict", Mode.ENFORCE).explain("clone"));
        assertEquals("mount: ERRNO(EPERM)", table("default", Mode.ENFORCE).explain("mount"));
        assertEquals("mount: ERRNO(EPERM) (default action)", table("python", Mode.ENFORCE).explain("mount"));
        assertEquals("mount: ERRNO(EPERM) via NOTIFY (default action)", table("python", Mode.NOTIFY_DENIALS).explain("mount"));
        assertEquals("read: ALLOW", table("python", Mode.ENFORCE).explain("read"));
        assertEquals("execve: NOTIFY", table("strict", Mode.ENFORCE).explain("execve"));
        assertEquals("socket: ERRNO(EPERM) if arg0 & 0xffffffff == 0x11 (AF_PACKET); ERRNO(EPERM) if arg0 & 0xffffffff == 2"
                + " (AF_INET) and arg1 & 0xf == 3 (SOCK_RAW); ERRNO(EPERM) if arg0 & 0xffffffff == 0xa (AF_INET6) and arg1 & 0xf"
                + " == 3 (SOCK_RAW); ERRNO(EPERM) if arg0 & 0xffffffff == 0x10 (AF_NETLINK) and arg2 != 0 (not NETLINK_ROUTE); ERRNO(EPERM) if"
                + " arg0 & 0xffffffff == 0xf (AF_KEY); ERRNO(EPERM) if arg0 & 0xffffffff == 0x15 (AF_RDS); ERRNO(EPERM) if"
                + " arg0 & 0xffffffff == 0x1e (AF_TIPC); ERRNO(EPERM) if arg0 & 0xffffffff == 0x26 (AF_ALG); ERRNO(EPERM) if"
                + " arg0 & 0xffffffff == 0x28 (AF_VSOCK); otherwise ALLOW (default action)",
                table("default", Mode.ENFORCE).explain("socket"));
        assertEquals("sendmsg: ALLOW if arg0 == 4; otherwise ALLOW via NOTIFY",
                table("python", Mode.LEARN).explain("sendmsg"));
        ProfileException e = assertThrows(ProfileException.class, () -> table("python", Mode.ENFORCE).explain("_llseek"));
        assertEquals("\"_llseek\" is not a syscall of this architecture", e.getMessage());
    }

    @Test
    void rowsListEveryRuleInProfileOrder() {
        List<RuleTable.Row> rows = table("default", Mode.ENFORCE).rows();
        assertEquals("mount", rows.get(0).syscall());
        assertEquals(0, rows.get(0).entry());
        assertEquals("", rows.get(0).condition());
        RuleTable.Row tiocsti = rows.stream().filter(r -> r.condition().contains("TIOCSTI")).findFirst().orElseThrow();
        assertEquals("arg1 & 0xffffffff == 0x5412 (TIOCSTI)", tiocsti.condition());
        assertEquals(Action.errno(Errno.EPERM), tiocsti.filterAction());
    }
}
