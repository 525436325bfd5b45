package io.sandboxrun.seccomp.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.seccomp.Action;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.SyscallEntry;
import io.sandboxrun.seccomp.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bundled profiles as documents: what they let real workloads do, how strict derives from python, their comments. */
class BundledProfilesTest {
    /**
     * Every syscall two CPython 3.11 builds (Debian's and a pyenv one) made under {@code strace -f}
     * running a worker-style workload (threads, asyncio over TCP, ssl, sqlite3, hashlib, json, gzip,
     * a WSGI server answering HTTP, subprocess, fork) and gunicorn serving examples/hello-wsgi.
     * The ones whose arguments the profile checks are below, with the arguments they were made with.
     */
    private static final List<String> OBSERVED = List.of("accept4", "access", "arch_prctl", "bind", "brk", "chdir",
            "chmod", "clock_nanosleep", "close", "close_range", "connect", "dup2", "epoll_create1", "epoll_ctl",
            "epoll_wait", "execve", "fchmod", "fchown", "fcntl", "fdatasync", "futex", "getcwd", "getdents64", "getegid",
            "geteuid", "getgid", "getpeername", "getpid", "getppid", "getrandom", "getsockname", "getsockopt", "gettid",
            "getuid", "kill", "listen", "lseek", "madvise", "mkdir", "mmap", "mprotect", "mremap", "munmap", "newfstatat",
            "openat", "pipe2", "poll", "pread64", "prlimit64", "pselect6", "pwrite64", "read", "readlink", "recvfrom",
            "rmdir", "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity", "sendfile", "sendto",
            "set_robust_list", "set_tid_address", "setsockopt", "shutdown", "socketpair", "sysinfo", "umask", "uname",
            "unlink", "unlinkat", "vfork", "wait4", "write");

    @Test
    void pythonAllowsWhatRealWorkloadsDid() {
        RuleTable t = BpfCompiler.compile(ProfileLoader.bundled("python"), CompileOptions.DEFAULT).rules();
        for (String name : OBSERVED) assertEquals(Action.ALLOW, decide(t, name), name);
        assertEquals(Action.ALLOW, decide(t, "socket", 2, 0x80001, 6));         // AF_INET, SOCK_STREAM|SOCK_CLOEXEC
        assertEquals(Action.ALLOW, decide(t, "socket", 1, 0x80801, 0));         // AF_UNIX, non-blocking
        assertEquals(Action.ALLOW, decide(t, "socket", 16, 0x80003, 0));        // netlink route (getaddrinfo)
        assertEquals(Action.ALLOW, decide(t, "clone", 0x3d0f00));               // pthread_create
        assertEquals(Action.ALLOW, decide(t, "clone", 0x01200011));             // fork
        assertEquals(Action.errno(Errno.ENOSYS), decide(t, "clone3"));         // and glibc falls back to clone
        assertEquals(Action.ALLOW, decide(t, "ioctl", 3, 0x5401));              // TCGETS (isatty)
        assertEquals(Action.ALLOW, decide(t, "ioctl", 3, 0x5421));              // FIONBIO (setblocking)
    }

    @Test
    void strictIsPythonWithoutNewProcessesOrExec() {
        List<SyscallEntry> python = new ArrayList<>(ProfileLoader.bundled("python").syscalls());
        List<SyscallEntry> strict = new ArrayList<>(ProfileLoader.bundled("strict").syscalls());
        Set<String> processes = Set.of("clone", "fork", "vfork", "execve", "execveat", "wait4", "waitid");
        python.removeIf(e -> processes.containsAll(e.names()));
        strict.removeIf(e -> processes.containsAll(e.names()));
        assertEquals(python, strict);
        RuleTable t = BpfCompiler.compile(ProfileLoader.bundled("strict"), CompileOptions.DEFAULT).rules();
        assertEquals(Action.errno(Errno.EPERM), decide(t, "clone", 0x01200011));
        assertEquals(Action.errno(Errno.EPERM), decide(t, "vfork"));
        assertEquals(Action.NOTIFY, decide(t, "execveat"));
        assertEquals(Action.ALLOW, decide(t, "clone", 0x3d0f00));
    }

    @Test
    void everyRuleGroupSaysWhy() {
        for (String name : ProfileLoader.BUNDLED) {
            List<SyscallEntry> entries = ProfileLoader.bundled(name).syscalls();
            for (int i = 0; i < entries.size(); i++) {
                SyscallEntry e = entries.get(i);
                boolean continuesGroup = i > 0 && entries.get(i - 1).names().equals(e.names());
                assertTrue(e.comment() != null || continuesGroup, name + " syscalls[" + i + "] " + e.names() + " has no comment");
            }
        }
    }

    @Test
    void theReadmeNamesEverySyscallTheBundledProfilesSingleOut() throws IOException {
        String readme;
        try (InputStream in = Profile.class.getResourceAsStream("/io/sandboxrun/seccomp/profiles/README.md")) {
            assertNotNull(in, "profiles/README.md is missing");
            readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (SyscallEntry e : ProfileLoader.bundled("default").syscalls()) {
            for (String n : e.names()) assertTrue(readme.contains("`" + n + "`"), "README does not mention default's " + n);
        }
        for (String n : List.of("fork", "vfork", "clone", "clone3", "execve", "execveat", "ioctl", "prctl", "personality",
                "socket", "TIOCSTI", "TIOCLINUX", "CLONE_THREAD", "SCMP_ACT_NOTIFY")) {
            assertTrue(readme.contains(n), "README does not mention " + n);
        }
    }

    private static Action decide(RuleTable t, String syscall, long... args) {
        return t.decide(Syscalls.number(syscall), args).action();
    }
}
