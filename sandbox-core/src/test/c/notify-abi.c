/* notify-abi: prints the constants and struct sizes the seccomp-notify, epoll, unix-socket and listen-socket bindings use, from the installed headers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define P(name, value) printf("%s %lld\n", name, (long long)(value))

int main(void) {
    P("SECCOMP_IOCTL_NOTIF_RECV", (unsigned long)SECCOMP_IOCTL_NOTIF_RECV);
    P("SECCOMP_IOCTL_NOTIF_SEND", (unsigned long)SECCOMP_IOCTL_NOTIF_SEND);
    P("SECCOMP_IOCTL_NOTIF_ID_VALID", (unsigned long)SECCOMP_IOCTL_NOTIF_ID_VALID);
    P("SECCOMP_IOCTL_NOTIF_ADDFD", (unsigned long)SECCOMP_IOCTL_NOTIF_ADDFD);
    P("SECCOMP_GET_NOTIF_SIZES", SECCOMP_GET_NOTIF_SIZES);
    P("SECCOMP_USER_NOTIF_FLAG_CONTINUE", SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    P("SECCOMP_ADDFD_FLAG_SETFD", SECCOMP_ADDFD_FLAG_SETFD);
    P("SECCOMP_ADDFD_FLAG_SEND", SECCOMP_ADDFD_FLAG_SEND);
    P("__NR_seccomp", __NR_seccomp);
    P("sizeof(struct seccomp_notif)", sizeof(struct seccomp_notif));
    P("sizeof(struct seccomp_notif_resp)", sizeof(struct seccomp_notif_resp));
    P("sizeof(struct seccomp_data)", sizeof(struct seccomp_data));
    P("sizeof(struct seccomp_notif_addfd)", sizeof(struct seccomp_notif_addfd));
    P("offsetof(struct seccomp_notif, data)", offsetof(struct seccomp_notif, data));
    P("sizeof(struct epoll_event)", sizeof(struct epoll_event));
    P("offsetof(struct epoll_event, data)", offsetof(struct epoll_event, data));
    P("EPOLLIN", EPOLLIN);
    P("EPOLLERR", EPOLLERR);
    P("EPOLLHUP", EPOLLHUP);
    P("EPOLLONESHOT", (unsigned)EPOLLONESHOT);
    P("EPOLLEXCLUSIVE", (unsigned)EPOLLEXCLUSIVE);
    P("EPOLL_CLOEXEC", EPOLL_CLOEXEC);
    P("sizeof(struct msghdr)", sizeof(struct msghdr));
    P("sizeof(struct iovec)", sizeof(struct iovec));
    P("sizeof(struct cmsghdr)", sizeof(struct cmsghdr));
    P("CMSG_LEN(4)", CMSG_LEN(4));
    P("CMSG_SPACE(4)", CMSG_SPACE(4));
    P("CMSG_SPACE(12)", CMSG_SPACE(12));
    P("SOCK_SEQPACKET", SOCK_SEQPACKET);
    P("SOCK_CLOEXEC", SOCK_CLOEXEC);
    P("SCM_RIGHTS", SCM_RIGHTS);
    P("MSG_CMSG_CLOEXEC", MSG_CMSG_CLOEXEC);
    P("MSG_CTRUNC", MSG_CTRUNC);
    P("MSG_TRUNC", MSG_TRUNC);
    P("MSG_NOSIGNAL", MSG_NOSIGNAL);
    P("AT_FDCWD", AT_FDCWD);
    P("AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW);
    return 0;
}
