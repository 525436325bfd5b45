/* JSON-line log writer and the die() family; one line per write(2) so lines never interleave. */
#include "sandbox-init.h"

#include <stdarg.h>

/* Lines stay below PIPE_BUF (4096) so each write to the log pipe is atomic. */
#define LINE_MAX_BYTES 4000

static int log_fd = -1;
static int report_fd = -1;
static enum stage cur_stage = STAGE_OUTER;

static const char *const step_names[] = {
#define STEP(e, s) s,
#include "steps.h"
#undef STEP
};

static const char *const stage_names[] = { "outer", "init", "app" };

void log_setup(int fd) { log_fd = fd; }
void log_set_stage(enum stage stage) { cur_stage = stage; }
void log_set_report_fd(int fd) { report_fd = fd; }

static const char *step_name(enum step step)
{
	return (unsigned)step < STEP_COUNT ? step_names[step] : "unknown";
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Appends s to the line l of n bytes as the inside of a JSON string; invalid UTF-8 becomes
 * U+FFFD so the launcher's parser never fails. Returns the new length, at most LINE_MAX_BYTES - 3.
 */
static size_t put_json(char *l, size_t n, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p && n < LINE_MAX_BYTES - 8) {
		size_t len = *p < 0x80 ? 1 : utf8_len(p);

		if (*p == '"' || *p == '\\')
			n += (size_t)sprintf(l + n, "\\%c", *p);
		else if (*p == '\n' || *p == '\t')
			n += (size_t)sprintf(l + n, "\\%c", *p == '\n' ? 'n' : 't');
		else if (*p < 0x20 || *p == 0x7f)
			n += (size_t)sprintf(l + n, "\\u%04x", *p);
		else if (len == 0)
			n += (size_t)sprintf(l + n, "\\ufffd");
		else
			n += (size_t)sprintf(l + n, "%.*s", (int)len, (const char *)p);
		p += len ? len : 1;
	}
	return n;
}

bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = TEMP_FAILURE_RETRY(write(fd, buf, len));
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

void log_event(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf - 1)
		return;
	buf[n++] = '\n';
	/* Events are best-effort: a failed write only loses this line. */
	(void)write_all(log_fd, buf, (size_t)n);
}

static void log_text(enum step step, int err, const char *msg)
{
	char buf[LINE_MAX_BYTES];
	int n = snprintf(buf, sizeof buf, "sandbox-init: %s: %s%s%s\n", step_name(step), msg,
			 err ? ": " : "", err ? strerror(err) : "");

	if (n >= 0)
		(void)write_all(STDERR_FILENO, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void log_error(enum stage stage, enum step step, int err, const char *msg)
{
	const char *errname = err ? strerrorname_np(err) : NULL;
	char l[LINE_MAX_BYTES + 8];
	size_t n;

	if (log_fd >= 0) {
		n = (size_t)snprintf(l, sizeof l, "{\"level\":\"error\",\"stage\":\"%s\",\"step\":\"%s\","
				     "\"errno\":%d%s%s%s,\"msg\":\"", stage_names[stage], step_name(step),
				     err, errname ? ",\"errname\":\"" : "", errname ?: "", errname ? "\"" : "");
		n = put_json(l, n, msg);
		n += (size_t)sprintf(l + n, "\"}\n");
		/* An error must not be lost: if the log pipe is gone, say it on stderr. */
		if (write_all(log_fd, l, n))
			return;
	}
	log_text(step, err, msg);
}

static _Noreturn void vdie(int code, int err, enum step step, const char *fmt, va_list ap)
{
	struct app_report rep = { .step = (int32_t)step, .err = err, .code = code };

	vsnprintf(rep.msg, sizeof rep.msg, fmt, ap);
	/* In the app child init reports for us, so the launcher hears of it from one place. */
	if (report_fd < 0 || !write_all(report_fd, (const char *)&rep, sizeof rep))
		log_error(cur_stage, step, err, rep.msg);
	/* _exit, not exit: after fork nothing registered with atexit may run twice. */
	_exit(code);
}

void die(enum step step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(EXIT_SETUP, 0, step, fmt, ap);
}

void die_errno(enum step step, const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vdie(EXIT_SETUP, err, step, fmt, ap);
}

void die_with(int code, int err, enum step step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(code, err, step, fmt, ap);
}
