/* Namespaces: the raw clone, the uid/gid maps, becoming the mapped root, and loopback up. */
#include "sandbox-init.h"

#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

pid_t ns_clone(int flags)
{
	/*
	 * With a NULL stack and every other argument zero, the raw syscall returns twice like
	 * fork(2) whatever the architecture's argument order, so no child stack is needed as
	 * with glibc's clone().
	 */
	long pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	die_errno_if(pid < 0, STEP_CLONE, "clone flags=%#x", (unsigned)flags);
	return (pid_t)pid;
}

static void write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	die_errno_if(fd < 0, STEP_ID_MAP, "open %s", path);
	if (TEMP_FAILURE_RETRY(write(fd, text, len)) != (ssize_t)len)
		die_errno(STEP_ID_MAP, "write \"%s\" to %s", text, path);
	die_errno_if(close(fd) < 0, STEP_ID_MAP, "close %s", path);
}

void ns_write_id_maps(pid_t pid, uint32_t host_base, uint32_t count)
{
	char map[64];

	snprintf(map, sizeof map, "0 %u %u\n", host_base, count);
	/* setgroups must be denied before gid_map is written (user_namespaces(7)). */
	write_proc(pid, "setgroups", "deny");
	write_proc(pid, "uid_map", map);
	write_proc(pid, "gid_map", map);
}

void ns_become_root(void)
{
	/*
	 * After clone our credentials still hold the host's root ids, which are unmapped inside:
	 * files we create would fail with EOVERFLOW. Switching to id 0 makes them the mapped root
	 * (HOST_BASE); capabilities in the namespace are kept because 0 is the namespace's root.
	 * Group first: setresuid leaves no CAP_SETGID behind if it ever dropped caps.
	 */
	die_errno_if(setresgid(0, 0, 0) < 0, STEP_SETID_ROOT, "setresgid 0");
	die_errno_if(setresuid(0, 0, 0) < 0, STEP_SETID_ROOT, "setresuid 0");
}

void ns_loopback_up(void)
{
	struct ifreq ifr;
	/* Any socket of the new network namespace will do for the interface ioctls. */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	die_errno_if(fd < 0, STEP_LOOPBACK, "socket AF_INET SOCK_DGRAM");
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	die_errno_if(ioctl(fd, SIOCGIFFLAGS, &ifr) < 0, STEP_LOOPBACK, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	/* Needs CAP_NET_ADMIN in the user namespace that owns the network namespace: init has it. */
	die_errno_if(ioctl(fd, SIOCSIFFLAGS, &ifr) < 0, STEP_LOOPBACK, "SIOCSIFFLAGS lo IFF_UP");
	die_errno_if(close(fd) < 0, STEP_LOOPBACK, "close socket");
}
