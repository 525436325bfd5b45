/* The new root: staging tmpfs, root tmpfs, the plan's filesystem ops, and the two pivots. */
#include "mount.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Layout during setup, after the first pivot_root: "/" is a small staging tmpfs, the host's
 * tree is at OLDROOT (bind sources are read there) and the future root tmpfs is at NEWROOT
 * (every DST is created there).
 */
#define STAGING "/tmp"
#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"

static void join(char *out, const char *prefix, const char *path)
{
	/* Plan paths are at most PLAN_PATH_MAX bytes, so this never truncates. */
	snprintf(out, PATH_MAX, "%s%s", prefix, strcmp(path, "/") ? path : "");
}

/* The inside view of a NEWROOT path, for messages. */
static const char *inside(const char *path)
{
	return path[strlen(NEWROOT)] ? path + strlen(NEWROOT) : "/";
}

/* mkdir -p: parents get 0755; the last component gets mode when last is true. */
static void make_dirs(char *path, mode_t mode, bool last, enum step step)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die_errno(step, "mkdir %s", inside(path));
		*s = '/';
	}
	if (last && mkdir(path, mode) < 0 && errno != EEXIST)
		die_errno(step, "mkdir %s", inside(path));
}

/* A bind needs something to mount on: a directory for a directory, an empty file otherwise. */
static void make_mountpoint(char *path, bool dir)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0)
		return;
	make_dirs(path, 0755, dir, STEP_MOUNTPOINT);
	if (dir)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0444);
	if (fd < 0)
		die_errno(STEP_MOUNTPOINT, "create %s", inside(path));
	if (close(fd) < 0)
		die_errno(STEP_MOUNTPOINT, "close %s", inside(path));
}

/*
 * Bind remount adding flags. A bind copies the source mount's flags, and in a user namespace
 * the kernel locks them (MNT_LOCK_READONLY, _NODEV, _NOSUID, _NOEXEC, _ATIME): a remount that
 * would clear one fails with EPERM, so read them with statvfs and keep them.
 */
static void remount(const char *path, unsigned long add, enum step step)
{
	static const struct { unsigned long st, ms; } keep[] = {
		{ ST_RDONLY, MS_RDONLY },   { ST_NOSUID, MS_NOSUID },	  { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },   { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	unsigned long flags = MS_REMOUNT | MS_BIND | add;
	struct statvfs sv;

	if (statvfs(path, &sv) < 0)
		die_errno(step, "statvfs %s", inside(path));
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		die_errno(step, "remount %s flags=%#lx", inside(path), flags);
}

static void do_bind(const struct fs_op *f)
{
	static const char *const names[] = { [FS_BIND_RO] = "bind-ro", [FS_BIND_RW] = "bind-rw",
					      [FS_BIND_DEV] = "bind-dev" };
	char src[PATH_MAX], dst[PATH_MAX];
	struct stat st;

	join(src, OLDROOT, f->src);
	join(dst, NEWROOT, f->dst);
	if (stat(src, &st) < 0)
		die_errno(STEP_BIND, "%s %s %s: source", names[f->kind], f->src, f->dst);
	make_mountpoint(dst, S_ISDIR(st.st_mode));
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno(STEP_BIND, "%s %s %s", names[f->kind], f->src, f->dst);
	/*
	 * MS_BIND ignores every other flag: the restrictions need a second, remount call. It
	 * applies to the top mount only; submounts that MS_REC brought along keep their flags.
	 */
	remount(dst,
		f->kind == FS_BIND_RO	? MS_RDONLY | MS_NOSUID | MS_NODEV
		: f->kind == FS_BIND_RW ? MS_NOSUID | MS_NODEV
					: MS_NOSUID,
		STEP_REMOUNT);
}

static void write_file(const struct fs_op *f, char *dst)
{
	const char *p = f->content;
	size_t left = f->content_len;
	int fd;

	make_dirs(dst, 0755, false, STEP_FILE);
	/* O_EXCL | O_NOFOLLOW: never write through into something a bind brought in. */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f->mode);
	if (fd < 0)
		die_errno(STEP_FILE, "create %s", f->dst);
	while (left > 0) {
		ssize_t w = TEMP_FAILURE_RETRY(write(fd, p, left));
		if (w < 0)
			die_errno(STEP_FILE, "write %s", f->dst);
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) < 0)
		die_errno(STEP_FILE, "close %s", f->dst);
}

static void devpts(const struct fs_op *f, char *dst)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base = strrchr(f->dst, '/') + 1;

	make_dirs(dst, 0755, true, STEP_MOUNT_DEVPTS);
	/* newinstance: our own pty namespace, not the host's /dev/pts. */
	if (mount("devpts", dst, "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		die_errno(STEP_MOUNT_DEVPTS, "mount devpts on %s", f->dst);
	/* <parent>/ptmx -> <name>/ptmx, i.e. /dev/ptmx -> pts/ptmx for DST /dev/pts. */
	snprintf(link, sizeof link, "%.*sptmx", (int)(strlen(dst) - strlen(base)), dst);
	snprintf(target, sizeof target, "%s/ptmx", base);
	if (symlink(target, link) < 0)
		die_errno(STEP_MOUNT_DEVPTS, "symlink %s -> %s", inside(link), target);
}

static void do_op(const struct fs_op *f)
{
	char dst[PATH_MAX], opts[96];

	join(dst, NEWROOT, f->dst);
	switch (f->kind) {
	case FS_BIND_RO:
	case FS_BIND_RW:
	case FS_BIND_DEV:
		do_bind(f);
		break;
	case FS_TMPFS:
		make_dirs(dst, 0755, true, STEP_MOUNT_TMPFS);
		snprintf(opts, sizeof opts, "size=%llu,mode=%04o", (unsigned long long)f->size,
			 (unsigned)f->mode);
		if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			die_errno(STEP_MOUNT_TMPFS, "mount tmpfs on %s (%s)", f->dst, opts);
		break;
	case FS_PROC:
		make_dirs(dst, 0755, true, STEP_MOUNT_PROC);
		/* Needs our own pid namespace and a fully visible /proc on the host (proc(5)). */
		if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			die_errno(STEP_MOUNT_PROC, "mount proc on %s", f->dst);
		break;
	case FS_DEVPTS:
		devpts(f, dst);
		break;
	case FS_DIR:
		make_dirs(dst, f->mode, true, STEP_DIR);
		break;
	case FS_FILE:
		write_file(f, dst);
		break;
	case FS_SYMLINK:
		make_dirs(dst, 0755, false, STEP_SYMLINK);
		if (symlink(f->src, dst) < 0)
			die_errno(STEP_SYMLINK, "symlink %s -> %s", f->dst, f->src);
		break;
	case FS_REMOUNT_RO:
		break;
	}
}

static void pivot_root(const char *new_root, const char *put_old)
{
	if (syscall(SYS_pivot_root, new_root, put_old) < 0)
		die_errno(STEP_PIVOT_ROOT, "pivot_root %s %s", new_root, put_old);
}

void mount_build_root(const struct plan *p)
{
	char opts[64];

	/* Before any mount: nothing we do may propagate back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno(STEP_MOUNT_PRIVATE, "make / private (MS_REC|MS_PRIVATE)");

	/*
	 * The staging tmpfs needs an existing directory to sit on. Any would do, the mount is
	 * private to this namespace; /tmp exists on every host (bubblewrap uses it too). It hides
	 * the host's /tmp only until the first pivot_root, which moves the staging mount off /tmp,
	 * so bind sources under /tmp are intact under OLDROOT.
	 */
	if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0)
		die_errno(STEP_MOUNT_ROOT, "mount staging tmpfs on " STAGING);
	if (mkdir(STAGING NEWROOT, 0755) < 0 || mkdir(STAGING OLDROOT, 0755) < 0)
		die_errno(STEP_MOUNT_ROOT, "mkdir in staging tmpfs");
	snprintf(opts, sizeof opts, "size=%llu,mode=0755", (unsigned long long)p->root_size);
	if (mount("tmpfs", STAGING NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		die_errno(STEP_MOUNT_ROOT, "mount root tmpfs (%s)", opts);
	if (chdir(STAGING) < 0)
		die_errno(STEP_PIVOT_ROOT, "chdir " STAGING);
	pivot_root(".", "." OLDROOT);
	if (chdir("/") < 0)
		die_errno(STEP_PIVOT_ROOT, "chdir / after the first pivot_root");

	for (size_t i = 0; i < p->n_fs; i++)
		do_op(&p->fs[i]);
	/* Read-only last, so file, dir and symlink ops could write into the root tmpfs first. */
	for (size_t i = 0; i < p->n_fs; i++) {
		char dst[PATH_MAX];
		if (p->fs[i].kind != FS_REMOUNT_RO)
			continue;
		join(dst, NEWROOT, p->fs[i].dst);
		remount(dst, MS_RDONLY, STEP_REMOUNT_RO);
	}

	/* Drop the host's tree before the app can run: nothing outside the new root stays reachable. */
	if (umount2(OLDROOT, MNT_DETACH) < 0)
		die_errno(STEP_DETACH_OLDROOT, "umount2 " OLDROOT " MNT_DETACH");
	/*
	 * pivot_root(".", ".") stacks the staging root on top of NEWROOT; detaching "." then
	 * removes it and leaves NEWROOT as "/" (pivot_root(2), NOTES).
	 */
	if (chdir(NEWROOT) < 0)
		die_errno(STEP_PIVOT_ROOT, "chdir " NEWROOT);
	pivot_root(".", ".");
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(STEP_PIVOT_ROOT, "umount2 . MNT_DETACH after pivot_root");
	if (chdir("/") < 0)
		die_errno(STEP_PIVOT_ROOT, "chdir / in the new root");
}
