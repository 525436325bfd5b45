/* Capabilities: the app becomes its uid/gid with an empty bounding, ambient and capability set. */
#include "sandbox-init.h"

#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47 /* since Linux 4.3 */
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

int caps_last_cap(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *end;
	long v;

	die_errno_if(fd < 0, STEP_CAP_LAST_CAP, "open /proc/sys/kernel/cap_last_cap");
	n = TEMP_FAILURE_RETRY(read(fd, buf, sizeof buf - 1));
	die_errno_if(n <= 0, STEP_CAP_LAST_CAP, "read /proc/sys/kernel/cap_last_cap");
	die_errno_if(close(fd) < 0, STEP_CAP_LAST_CAP, "close /proc/sys/kernel/cap_last_cap");
	v = strtol(buf, &end, 10);
	if (end == buf || v < 0 || v > 255)
		die(STEP_CAP_LAST_CAP, "/proc/sys/kernel/cap_last_cap: bad value \"%.15s\"", buf);
	return (int)v;
}

void caps_drop_to(uid_t uid, gid_t gid, int last_cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	/*
	 * Bounding and ambient sets first: PR_CAPBSET_DROP needs CAP_SETPCAP, which the uid change
	 * takes away. Then gid before uid: setresgid needs CAP_SETGID, also gone after setresuid.
	 */
	for (int cap = 0; cap <= last_cap; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die_errno(STEP_CAPS_BOUNDING, "PR_CAPBSET_DROP %d", cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die_errno(STEP_CAPS_AMBIENT, "PR_CAP_AMBIENT_CLEAR_ALL");
	die_errno_if(setresgid(gid, gid, gid) < 0, STEP_SETID, "setresgid %u", (unsigned)gid);
	die_errno_if(setresuid(uid, uid, uid) < 0, STEP_SETID, "setresuid %u", (unsigned)uid);
	/*
	 * capset last: setresuid away from 0 already emptied permitted and effective, but not
	 * inheritable; zero all three explicitly so nothing depends on SECBIT_* defaults.
	 */
	memset(data, 0, sizeof data);
	die_errno_if(syscall(SYS_capset, &hdr, data) < 0, STEP_CAPS, "capset all-zero");
}
