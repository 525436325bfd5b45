/* Dropping every capability of the app before exec. */
#ifndef SANDBOX_CAPS_H
#define SANDBOX_CAPS_H

/* Reads /proc/sys/kernel/cap_last_cap; call on the host, /proc may be absent inside. */
int caps_last_cap(void);
void caps_drop_bounding(int last_cap);
void caps_clear_ambient(void);
void caps_clear(void);

#endif
