/* notify-target: test fixture for the notification loop; installs a filter that notifies getppid and hands its listener to the test. */
/*
 * Usage: notify-target MODE K, with fd 3 a unix socket to the test.
 *   plain: getppid K times, one line per result ("4242", or "err 38" for a failure); through
 *          syscall(2), since glibc's getppid() never sets errno.
 *   echo:  syscall(SYS_getppid, msg, len) K times, msg = "hello <pid>"; the handler reads it with
 *          process_vm_readv; one line per result.
 *   bench: times K bare getppid() calls before the filter and K notified ones after it; prints
 *          "bare_ns <per call>" and "notify_ns <per call>".
 * The filter is hand-written BPF (a fixture only: the product compiles profiles with libseccomp).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture"
#endif

static void die(const char *what) {
    fprintf(stderr, "notify-target: %s: %s\n", what, strerror(errno));
    exit(2);
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int install_filter(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
    /* no_new_privs first: without it an unprivileged process may not install a filter. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("prctl(PR_SET_NO_NEW_PRIVS)");
    int listener = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0) die("seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)");
    return listener;
}

static void send_listener(int sock, int listener) {
    char byte = 'L';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) die("sendmsg(listener)");
}

static void print_result(long r) {
    if (r < 0) printf("err %d\n", errno);
    else printf("%ld\n", r);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: notify-target plain|echo|bench K\n");
        return 2;
    }
    const char *mode = argv[1];
    long k = atol(argv[2]);
    long bare_ns = 0;
    if (strcmp(mode, "bench") == 0) {
        long t0 = now_ns();
        for (long i = 0; i < k; i++) syscall(__NR_getppid);
        bare_ns = now_ns() - t0;
    }
    int listener = install_filter();
    send_listener(3, listener);
    /* The launcher owns the listener now; closing ours keeps EPOLLHUP meaningful for it. */
    close(listener);
    close(3);
    if (strcmp(mode, "plain") == 0) {
        for (long i = 0; i < k; i++) print_result(syscall(__NR_getppid));
    } else if (strcmp(mode, "echo") == 0) {
        char msg[64];
        snprintf(msg, sizeof(msg), "hello %d", (int)getpid());
        for (long i = 0; i < k; i++) print_result(syscall(__NR_getppid, msg, strlen(msg)));
    } else if (strcmp(mode, "bench") == 0) {
        long t0 = now_ns();
        for (long i = 0; i < k; i++) syscall(__NR_getppid);
        long notify_ns = now_ns() - t0;
        printf("bare_ns %.1f\nnotify_ns %.1f\n", (double)bare_ns / k, (double)notify_ns / k);
    } else {
        fprintf(stderr, "notify-target: unknown mode %s\n", mode);
        return 2;
    }
    if (fflush(stdout) != 0) die("fflush(stdout)");
    return 0;
}
