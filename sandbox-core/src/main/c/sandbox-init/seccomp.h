/* The launcher's seccomp filter: read by the outer, loaded by the app as its last step before execve. */
#ifndef SANDBOX_SECCOMP_H
#define SANDBOX_SECCOMP_H

#include "log.h"
#include "plan.h"

/* In the outer, before clone: reads and checks the BPF program of the seccomp op, closes its fd. */
void seccomp_read(struct plan *p);
/*
 * In the app child, after no_new_privs and Landlock, last before execve: loads the filter and,
 * with a listener, sends it over the control fd and closes it. Records each phase in pr for init.
 */
void seccomp_install(const struct plan *p, struct app_progress *pr);

#endif
