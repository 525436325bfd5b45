/* Landlock: the second wall over the same whitelist as the mounts. */
#ifndef SANDBOX_LANDLOCK_H
#define SANDBOX_LANDLOCK_H

#include "plan.h"

/* In the app child, after no_new_privs: restricts itself and logs the landlock event. */
void landlock_apply(const struct plan *p);

#endif
