package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.notify.NotifyTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The constants of SeccompNotify, Epoll, UnixSocket and ListenSocket against src/test/c/notify-abi.c built from
 * the installed headers, and the Syscalls table and Errno against the headers' own definitions.
 */
class NotifyAbiIT {
    @BeforeAll
    static void host() {
        NotifyTarget.requireHost();
    }

    @Test
    void javaConstantsMatchTheHeaders() throws Exception {
        Path bin = NotifyTarget.compile("notify-abi");
        Process p = new ProcessBuilder(bin.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(true, p.waitFor(30, TimeUnit.SECONDS));
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            c.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("SECCOMP_IOCTL_NOTIF_RECV", SeccompNotify.IOCTL_NOTIF_RECV);
        java.put("SECCOMP_IOCTL_NOTIF_SEND", SeccompNotify.IOCTL_NOTIF_SEND);
        java.put("SECCOMP_IOCTL_NOTIF_ID_VALID", SeccompNotify.IOCTL_NOTIF_ID_VALID);
        java.put("SECCOMP_IOCTL_NOTIF_ADDFD", SeccompNotify.IOCTL_NOTIF_ADDFD);
        java.put("SECCOMP_GET_NOTIF_SIZES", (long) SeccompNotify.SECCOMP_GET_NOTIF_SIZES);
        java.put("SECCOMP_USER_NOTIF_FLAG_CONTINUE", (long) SeccompNotify.USER_NOTIF_FLAG_CONTINUE);
        java.put("SECCOMP_ADDFD_FLAG_SETFD", (long) SeccompNotify.ADDFD_FLAG_SETFD);
        java.put("SECCOMP_ADDFD_FLAG_SEND", (long) SeccompNotify.ADDFD_FLAG_SEND);
        java.put("__NR_seccomp", Syscalls.SECCOMP);
        java.put("sizeof(struct seccomp_notif)", (long) SeccompNotify.declaredSizes().notif());
        java.put("sizeof(struct seccomp_notif_resp)", (long) SeccompNotify.declaredSizes().resp());
        java.put("sizeof(struct seccomp_data)", (long) SeccompNotify.declaredSizes().data());
        java.put("sizeof(struct seccomp_notif_addfd)", (long) SeccompNotify.addfdSize());
        java.put("offsetof(struct seccomp_notif, data)", 16L);
        java.put("sizeof(struct epoll_event)", (long) Epoll.EVENT_SIZE);
        java.put("offsetof(struct epoll_event, data)", Epoll.PACKED ? 4L : 8L);
        java.put("EPOLLIN", (long) Epoll.EPOLLIN);
        java.put("EPOLLERR", (long) Epoll.EPOLLERR);
        java.put("EPOLLHUP", (long) Epoll.EPOLLHUP);
        java.put("EPOLLONESHOT", (long) Epoll.EPOLLONESHOT);
        java.put("EPOLLEXCLUSIVE", (long) Epoll.EPOLLEXCLUSIVE);
        java.put("EPOLL_CLOEXEC", (long) Epoll.EPOLL_CLOEXEC);
        java.put("sizeof(struct msghdr)", (long) UnixSocket.MSGHDR_SIZE);
        java.put("sizeof(struct iovec)", (long) UnixSocket.IOVEC_SIZE);
        java.put("sizeof(struct cmsghdr)", (long) UnixSocket.CMSGHDR_SIZE);
        java.put("CMSG_LEN(4)", (long) UnixSocket.cmsgLen(4));
        java.put("CMSG_SPACE(4)", (long) UnixSocket.cmsgSpace(4));
        java.put("CMSG_SPACE(12)", (long) UnixSocket.cmsgSpace(12));
        java.put("SOCK_SEQPACKET", (long) UnixSocket.SOCK_SEQPACKET);
        java.put("SOCK_CLOEXEC", (long) Sockets.SOCK_CLOEXEC);
        java.put("SCM_RIGHTS", (long) UnixSocket.SCM_RIGHTS);
        java.put("MSG_CMSG_CLOEXEC", (long) UnixSocket.MSG_CMSG_CLOEXEC);
        java.put("MSG_CTRUNC", (long) UnixSocket.MSG_CTRUNC);
        java.put("MSG_TRUNC", (long) UnixSocket.MSG_TRUNC);
        java.put("MSG_NOSIGNAL", (long) UnixSocket.MSG_NOSIGNAL);
        java.put("AT_FDCWD", (long) ListenSocket.AT_FDCWD);
        java.put("AT_SYMLINK_NOFOLLOW", (long) ListenSocket.AT_SYMLINK_NOFOLLOW);
        assertEquals(c, java);
    }

    /**
     * Every row of the table against {@code __NR_*} as the installed headers define it: the
     * native column from asm/unistd.h, the aarch64 column from asm-generic/unistd.h (which
     * arm64's asm/unistd.h includes). A row newer than the headers is left out, and said so.
     */
    @Test
    void syscallTableMatchesTheHeaders() throws Exception {
        assertNotNull(Syscalls.NATIVE, "os.arch " + System.getProperty("os.arch") + " has no column in the table");
        List<String> checked = new ArrayList<>();
        checkColumn(Syscalls.NATIVE, "asm/unistd.h", checked);
        if (Syscalls.NATIVE != Syscalls.Arch.AARCH64) checkColumn(Syscalls.Arch.AARCH64, "asm-generic/unistd.h", checked);
        System.out.println("syscall table checked against the headers: " + String.join("; ", checked));
    }

    /** Every constant of Errno against errno.h. */
    @Test
    void errnoConstantsMatchTheHeaders() throws Exception {
        Map<String, Long> defined = macros("#include <errno.h>\n");
        Map<String, Long> expected = new LinkedHashMap<>();
        Map<String, Long> actual = new LinkedHashMap<>();
        Errno.constants().forEach((name, value) -> {
            expected.put(name, (long) value);
            actual.put(name, defined.get(name));
        });
        assertEquals(expected, actual);
    }

    private static void checkColumn(Syscalls.Arch arch, String header, List<String> checked) throws Exception {
        Map<String, Long> defined = macros("#include <" + header + ">\n#include <linux/version.h>\n");
        long headers = defined.get("LINUX_VERSION_CODE");
        Map<String, Long> expected = new LinkedHashMap<>();
        List<String> newer = new ArrayList<>();
        for (Syscalls.Entry e : Syscalls.TABLE) {
            if (kernelVersion(e.since()) <= headers) expected.put(e.name(), (long) e.number(arch));
            else newer.add(e.name());
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String name : expected.keySet()) actual.put(name, defined.get("__NR_" + name));
        assertEquals(expected, actual, arch + " from " + header);
        checked.add(arch + " from " + header + " (Linux " + (headers >> 16) + "." + ((headers >> 8) & 0xff) + "): "
                + expected.size() + " rows, newer than the headers: " + newer);
    }

    private static long kernelVersion(String majorMinor) {
        String[] v = majorMinor.split("\\.");
        return (Long.parseLong(v[0]) << 16) + (Long.parseLong(v[1]) << 8);
    }

    /** The object-like macros with a decimal value that {@code source} defines, through gcc's preprocessor. */
    static Map<String, Long> macros(String source) throws Exception {
        Process cc = new ProcessBuilder("gcc", "-E", "-dM", "-x", "c", "-").redirectErrorStream(true).start();
        try (var in = cc.getOutputStream()) {
            in.write(source.getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(cc.waitFor(30, TimeUnit.SECONDS) && cc.exitValue() == 0, "gcc -E -dM: " + out);
        Map<String, Long> m = new HashMap<>();
        Matcher d = Pattern.compile("(?m)^#define (\\w+) (\\d+)$").matcher(out);
        while (d.find()) m.put(d.group(1), Long.parseLong(d.group(2)));
        return m;
    }
}
