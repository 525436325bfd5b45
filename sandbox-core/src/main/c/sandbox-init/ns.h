/* Namespace creation and id maps. */
#ifndef SANDBOX_NS_H
#define SANDBOX_NS_H

#include <stdint.h>
#include <sys/types.h>

/* fork(2)-like raw clone(2) into new namespaces; returns 0 in the child. */
pid_t ns_clone(int flags);
void ns_write_id_maps(pid_t pid, uint32_t host_base, uint32_t count);
void ns_become_root(void);

/* In a new network namespace: bring up lo (127.0.0.1, ::1), the sandbox's own loopback. */
void ns_loopback_up(void);

#endif
