/* Building the sandbox's root filesystem from the plan's filesystem ops. */
#ifndef SANDBOX_MOUNT_H
#define SANDBOX_MOUNT_H

#include "plan.h"

/* In the new mount namespace: build the root, pivot into it, detach the host's tree. */
void mount_build_root(const struct plan *p);

#endif
