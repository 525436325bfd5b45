/* Building the sandbox's root filesystem from the plan's filesystem ops. */
#ifndef SANDBOX_MOUNT_H
#define SANDBOX_MOUNT_H

#include "plan.h"

/*
 * In the outer, before clone: a detached, restricted clone of every bind's SRC (open_tree), so
 * SRC is resolved with the host root's credentials; the fds are inherited by init.
 */
void mount_open_binds(struct plan *p);
/* In the outer, after clone: drop its copies of those fds (init holds its own). */
void mount_close_binds(const struct plan *p);
/* In the new mount namespace: build the root, pivot into it, detach the host's tree. */
void mount_build_root(const struct plan *p);

#endif
