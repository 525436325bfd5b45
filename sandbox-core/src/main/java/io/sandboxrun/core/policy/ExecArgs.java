package io.sandboxrun.core.policy;

import io.sandboxrun.core.helper.PlanEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How much of the app's argv and environment execve(2) and the helper's plan take, so a policy
 * that could only fail with E2BIG at exec is refused when it is read. Sizes are UTF-8 bytes with
 * the terminating NUL, as the kernel counts them.
 */
public final class ExecArgs {
    /**
     * MAX_ARG_STRLEN (include/uapi/linux/binfmts.h): 32 pages for each argv word and each
     * {@code NAME=VALUE} string. With 4 KiB pages; a 64 KiB-page kernel allows more.
     */
    public static final int MAX_STRING = 32 * 4096;
    /**
     * All argv words and environment strings of a policy together (896K). They reach the sandbox in
     * the helper's plan ({@link PlanEncoder#MAX_BYTES}); the last 128K of it are kept for the mounts,
     * files, rules and the runtime's own variables. execve's own limit is larger with the usual 8 MiB
     * stack (see {@link #execLimit}).
     */
    public static final int MAX_TOTAL = PlanEncoder.MAX_BYTES - 128 * 1024;
    /**
     * argv words and environment entries together (16384): each is one or two of the plan's tokens
     * ({@link PlanEncoder#MAX_TOKENS}), so they take at most half of them, and a pointer on the app's
     * stack.
     */
    public static final int MAX_STRINGS = PlanEncoder.MAX_TOKENS / 4;
    /** ARG_MAX (include/uapi/linux/limits.h): what execve allows whatever the stack limit. */
    static final long ARG_MAX = 32 * 4096;
    /** 3/4 of _STK_LIM (8 MiB): execve's cap for the strings even with a larger stack. */
    static final long STACK_CAP = 6L << 20;
    /** What the runtime adds besides PATH: HOME, LANG, TMPDIR, USER, LOGNAME, LISTEN_FDS, LISTEN_PID. */
    static final int RUNTIME_ENV = 512;

    /** One string as execve counts it: its UTF-8 bytes and the NUL. */
    public static long size(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + 1L;
    }

    /**
     * execve's limit for the strings and their pointers (fs/exec.c, bprm_stack_limits): a quarter
     * of the stack rlimit's soft value, at most 6 MiB, at least {@link #ARG_MAX}.
     */
    public static long execLimit(long stackSoft) {
        long quarter = stackSoft == RlimitValue.UNLIMITED ? STACK_CAP : stackSoft / 4;
        return Math.max(Math.min(quarter, STACK_CAP), ARG_MAX);
    }

    /** One argv word: the detail of the error when it is longer than {@link #MAX_STRING}, else null. */
    static String wordTooLong(String word) {
        long n = size(word);
        if (n <= MAX_STRING) return null;
        return "the word is " + n + " bytes with its NUL; the kernel takes at most " + MAX_STRING
                + " bytes (MAX_ARG_STRLEN) for each argument, and execve would fail with E2BIG; pass large data in a file"
                + " under the app root instead";
    }

    /** One variable: the detail of the error when NAME=VALUE is longer than {@link #MAX_STRING}, else null. */
    static String variableTooLong(String name, String value) {
        long n = size(name + "=" + value);
        if (n <= MAX_STRING) return null;
        return name + "=VALUE is " + n + " bytes with its NUL; the kernel takes at most " + MAX_STRING
                + " bytes (MAX_ARG_STRLEN) for each environment string, so the value may have at most "
                + (MAX_STRING - name.length() - 2) + ", and execve would fail with E2BIG; pass large data in a file under"
                + " the app root instead";
    }

    /**
     * The whole of argv and env against {@link #MAX_STRINGS}, {@link #MAX_TOTAL} and, when the policy
     * sets a stack limit, execve's limit under it (strings, the runtime's variables, the exec path
     * (at most the command's first word, or an interpreter of about its size) and 8 bytes of pointer
     * each). Returns null when they fit, else the problem, naming what to blame.
     *
     * @param stackSoft the policy's stack soft limit, or null when it sets none (the host's, usually
     *                  8 MiB, then applies: above the plan's limit)
     */
    static Problem check(List<String> command, Map<String, String> env, String path, Long stackSoft) {
        long total = 0;
        long largest = -1;
        String blame = null;
        String blamed = null;
        for (int i = 0; i < command.size(); i++) {
            long n = size(command.get(i));
            total += n;
            if (n > largest) {
                largest = n;
                blame = "command[" + i + "]";
                blamed = "word " + i + " of the command";
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            long n = size(e.getKey() + "=" + e.getValue());
            total += n;
            if (n > largest) {
                largest = n;
                blame = "env." + e.getKey();
                blamed = e.getKey() + "=VALUE";
            }
        }
        int count = command.size() + env.size();
        if (count > MAX_STRINGS) {
            return new Problem(env.size() > command.size() ? "env" : "command", count + " strings (" + command.size()
                    + " words of command, " + env.size() + " variables); at most " + MAX_STRINGS + " fit in the helper's plan");
        }
        if (total > MAX_TOTAL) {
            return new Problem(blame, blamed + " is " + largest + " bytes, the largest; with the command's " + command.size()
                    + (command.size() == 1 ? " word" : " words") + " and " + env.size()
                    + (env.size() == 1 ? " variable" : " variables") + " the strings come to " + total
                    + " bytes (each with its NUL), more than the " + MAX_TOTAL + " (" + MAX_TOTAL / 1024 + "K) that fit: they"
                    + " reach the sandbox in the helper's plan of at most " + PlanEncoder.MAX_BYTES / (1024 * 1024) + "M;"
                    + " pass large data in a file under the app root instead");
        }
        if (stackSoft == null) return null;
        long exec = total + size("PATH=" + path) + RUNTIME_ENV + size(command.get(0)) + 8L * (count + 8);
        long limit = execLimit(stackSoft);
        if (exec <= limit) return null;
        return new Problem("rlimits.stack", "a stack of " + stackSoft + " bytes lets execve take "
                + limit + " bytes of arguments and environment (a quarter of the stack, at least " + ARG_MAX
                + "), but the command and env need about " + exec + " with the runtime's variables and the pointers;"
                + " raise the stack to at least " + 4 * exec + " or shorten them (execve would fail with E2BIG)");
    }

    /** What is too large, and where: {@code command[i]}, {@code env.NAME}, {@code rlimits.stack}. */
    record Problem(String field, String detail) {}

    private ExecArgs() {}
}
