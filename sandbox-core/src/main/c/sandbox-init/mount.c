/* The new root: staging tmpfs, root tmpfs, the plan's filesystem ops, and the two pivots. */
#include "sandbox-init.h"

#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The new mount API (since Linux 5.2; mount_setattr since 5.12): same numbers on every arch. */
#ifndef SYS_open_tree
#define SYS_open_tree 428 /* since Linux 5.2 */
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429 /* since Linux 5.2 */
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* since Linux 5.12 */
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1 /* since Linux 5.2 */
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004 /* since Linux 5.2 */
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000 /* since Linux 5.2 */
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001 /* since Linux 5.12 */
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_SIZE_VER0 /* glibc 2.36 declares it in <sys/mount.h> */
struct mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define MOUNT_ATTR_SIZE_VER0 32 /* since Linux 5.12 */
#endif

/*
 * Layout during setup, after the first pivot_root: "/" is a small staging tmpfs, the host's
 * tree is at OLDROOT (only until it is detached; bind sources come as trees the outer cloned)
 * and the future root tmpfs is at NEWROOT (every DST is created there).
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
		die_errno_if(mkdir(path, 0755) < 0 && errno != EEXIST, step, "mkdir %s", inside(path));
		*s = '/';
	}
	die_errno_if(last && mkdir(path, mode) < 0 && errno != EEXIST, step, "mkdir %s", inside(path));
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
	die_errno_if(fd < 0, STEP_MOUNTPOINT, "create %s", inside(path));
	die_errno_if(close(fd) < 0, STEP_MOUNTPOINT, "close %s", inside(path));
}

static bool is_bind(enum fs_kind kind)
{
	return kind == FS_BIND_RO || kind == FS_BIND_RW || kind == FS_BIND_DEV;
}

static int mount_setattr_(int dfd, const char *path, unsigned flags, uint64_t set, uint64_t propagation)
{
	struct mount_attr attr = { .attr_set = set, .propagation = propagation };

	return (int)syscall(SYS_mount_setattr, dfd, path, flags, &attr, MOUNT_ATTR_SIZE_VER0);
}

void mount_open_binds(struct plan *p)
{
	for (size_t i = 0; i < p->n_fs; i++) {
		struct fs_op *f = &p->fs[i];
		uint64_t set = f->kind == FS_BIND_RO   ? MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
			       : f->kind == FS_BIND_RW ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
						       : MOUNT_ATTR_NOSUID;
		struct stat st;

		if (!is_bind(f->kind))
			continue;
		/*
		 * Resolved here, with the host root's credentials in the host's mount namespace: SRC
		 * may sit below directories the sandbox's uid cannot traverse (a pyenv prefix under
		 * /root), and only SRC itself, with what is mounted below it, ends up inside.
		 */
		f->tree_fd = (int)syscall(SYS_open_tree, AT_FDCWD, f->src,
					  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		die_errno_if(f->tree_fd < 0, STEP_BIND, "%s %s %s: open_tree", f->op, f->src, f->dst);
		/*
		 * Recursive, unlike a bind remount: submounts are restricted too. Private: the clone
		 * would otherwise stay a peer of the host's mounts, and mounts made below it inside
		 * would propagate out (a new mount namespace in a user namespace makes its copies
		 * slaves for that reason; a tree moved in from outside gets no such treatment).
		 * The flags are not locked (MNT_LOCK_*), but only init could clear them, never the app,
		 * which has no capabilities.
		 */
		if (mount_setattr_(f->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, set, MS_PRIVATE) < 0)
			die_errno(STEP_REMOUNT, "%s %s %s: mount_setattr set=%#llx", f->op,
				  f->src, f->dst, (unsigned long long)set);
		if (fstat(f->tree_fd, &st) < 0)
			die_errno(STEP_BIND, "%s %s %s: fstat", f->op, f->src, f->dst);
		f->src_dir = S_ISDIR(st.st_mode);
	}
}

void mount_close_binds(const struct plan *p)
{
	for (size_t i = 0; i < p->n_fs; i++)
		if (is_bind(p->fs[i].kind) && close(p->fs[i].tree_fd) < 0)
			die_errno(STEP_BIND, "close the tree of %s %s", p->fs[i].op, p->fs[i].src);
}

static void do_bind(const struct fs_op *f, char *dst)
{
	make_mountpoint(dst, f->src_dir);
	/* No MOVE_MOUNT_T_SYMLINKS: a symlink at DST is not followed out of the new root. */
	if (syscall(SYS_move_mount, f->tree_fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die_errno(STEP_BIND, "%s %s %s: move_mount", f->op, f->src, f->dst);
	/* Now, not at exec: the app is forked from us and must never hold a way back to the host. */
	if (close(f->tree_fd) < 0)
		die_errno(STEP_BIND, "%s %s %s: close tree fd", f->op, f->src, f->dst);
}

static void write_file(const struct fs_op *f, char *dst)
{
	int fd;

	make_dirs(dst, 0755, false, STEP_FILE);
	/* O_EXCL | O_NOFOLLOW: never write through into something a bind brought in. */
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f->mode);
	die_errno_if(fd < 0, STEP_FILE, "create %s", f->dst);
	die_errno_if(!write_all(fd, f->content, strlen(f->content)), STEP_FILE, "write %s", f->dst);
	die_errno_if(close(fd) < 0, STEP_FILE, "close %s", f->dst);
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
		do_bind(f, dst);
		break;
	case FS_TMPFS:
		make_dirs(dst, 0755, true, STEP_MOUNT_TMPFS);
		snprintf(opts, sizeof opts, "size=%llu,mode=%04o", (unsigned long long)f->size,
			 (unsigned)f->mode);
		/* noexec: a plan's tmpfs holds links, mount points or data (/dev/shm), never code. */
		if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
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
		die_errno_if(symlink(f->src, dst) < 0, STEP_SYMLINK, "symlink %s -> %s", f->dst, f->src);
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
	 * private to this namespace; /tmp exists on every host (bubblewrap uses it too). Hiding
	 * the host's /tmp does not matter: bind sources were resolved by the outer, before clone.
	 */
	if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0)
		die_errno(STEP_MOUNT_ROOT, "mount staging tmpfs on " STAGING);
	if (mkdir(STAGING NEWROOT, 0755) < 0 || mkdir(STAGING OLDROOT, 0755) < 0)
		die_errno(STEP_MOUNT_ROOT, "mkdir in staging tmpfs");
	snprintf(opts, sizeof opts, "size=%llu,mode=0755", (unsigned long long)p->root_size);
	if (mount("tmpfs", STAGING NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		die_errno(STEP_MOUNT_ROOT, "mount root tmpfs (%s)", opts);
	die_errno_if(chdir(STAGING) < 0, STEP_PIVOT_ROOT, "chdir " STAGING);
	pivot_root(".", "." OLDROOT);
	die_errno_if(chdir("/") < 0, STEP_PIVOT_ROOT, "chdir / after the first pivot_root");

	for (size_t i = 0; i < p->n_fs; i++)
		do_op(&p->fs[i]);
	/* Read-only last, so file, dir and symlink ops could write into the root tmpfs first. */
	for (size_t i = 0; i < p->n_fs; i++) {
		char dst[PATH_MAX];
		if (p->fs[i].kind != FS_REMOUNT_RO)
			continue;
		join(dst, NEWROOT, p->fs[i].dst);
		/* Adds RDONLY to the top mount only and keeps its other flags, unlike MS_REMOUNT. */
		if (mount_setattr_(AT_FDCWD, dst, 0, MOUNT_ATTR_RDONLY, 0) < 0)
			die_errno(STEP_REMOUNT_RO, "remount-ro %s: mount_setattr MOUNT_ATTR_RDONLY",
				  p->fs[i].dst);
	}

	/* Drop the host's tree before the app can run: nothing outside the new root stays reachable. */
	if (umount2(OLDROOT, MNT_DETACH) < 0)
		die_errno(STEP_DETACH_OLDROOT, "umount2 " OLDROOT " MNT_DETACH");
	/*
	 * pivot_root(".", ".") stacks the staging root on top of NEWROOT; detaching "." then
	 * removes it and leaves NEWROOT as "/" (pivot_root(2), NOTES).
	 */
	die_errno_if(chdir(NEWROOT) < 0, STEP_PIVOT_ROOT, "chdir " NEWROOT);
	pivot_root(".", ".");
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(STEP_PIVOT_ROOT, "umount2 . MNT_DETACH after pivot_root");
	die_errno_if(chdir("/") < 0, STEP_PIVOT_ROOT, "chdir / in the new root");
}
