/* Dropping every capability of the app before exec. */
#ifndef SANDBOX_CAPS_H
#define SANDBOX_CAPS_H

#include <sys/types.h>

/* Reads /proc/sys/kernel/cap_last_cap; call on the host, /proc may be absent inside. */
int caps_last_cap(void);
/* In the app child: becomes uid/gid with no capability left in any set. */
void caps_drop_to(uid_t uid, gid_t gid, int last_cap);

#endif
