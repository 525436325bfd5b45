/* Logging and the one way to die: JSON lines on the log fd, text on stderr when there is none. */
#ifndef SANDBOX_LOG_H
#define SANDBOX_LOG_H

#include <stdint.h>

enum step {
#define STEP(e, s) STEP_##e,
#include "steps.h"
#undef STEP
	STEP_COUNT
};

enum stage { STAGE_OUTER, STAGE_INIT, STAGE_APP };

#define EXIT_SETUP 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* What the app child sends to init over the close-on-exec status pipe when it fails before exec. */
struct app_report {
	int32_t step;
	int32_t err;
	int32_t code;
	char msg[1012];
};

/*
 * How far the app got towards execve, in a MAP_SHARED page that init reads once the status pipe
 * has closed (by exec or by death). Stores are not syscalls, so the app can still record where
 * it is after the seccomp filter is loaded, when it may no longer be able to write a report.
 */
enum app_phase {
	PHASE_SETUP,
	PHASE_SECCOMP_LOAD,
	PHASE_SECCOMP_LISTENER,
	PHASE_SECCOMP_CLOSE,
	PHASE_EXEC,
	PHASE_EXEC_FAILED,
};

struct app_progress {
	int32_t phase;
	int32_t err; /* PHASE_EXEC_FAILED: errno of execve */
};

static inline void progress_set(struct app_progress *pr, enum app_phase phase, int err)
{
	__atomic_store_n(&pr->err, err, __ATOMIC_RELAXED);
	__atomic_store_n(&pr->phase, (int32_t)phase, __ATOMIC_RELEASE);
}

void log_setup(int fd);
void log_set_stage(enum stage stage);
/* In the app child: errors go to init through this pipe instead of the log fd. */
void log_set_report_fd(int fd);

/* Writes one pre-built JSON object line (numbers and fixed words only); dropped if it fails. */
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes an error line; never dropped: falls back to stderr text. */
void log_error(enum stage stage, enum step step, int err, const char *msg);

_Noreturn void die(enum step step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void die_errno(enum step step, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void die_with(int code, int err, enum step step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
