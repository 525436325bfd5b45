package io.sandboxrun.core.helper;

import java.util.Arrays;
import java.util.Optional;

/**
 * The stable names of {@code sandbox-init}'s steps, mirroring {@code steps.h} (a unit test checks
 * that both lists agree, so a step added on one side only fails the build).
 */
public enum SetupStep {
    ARGS("args"),
    PLAN_READ("plan-read"),
    PLAN_PARSE("plan-parse"),
    PLAN_VALIDATE("plan-validate"),
    SECCOMP_READ("seccomp-read"),
    CAP_LAST_CAP("cap-last-cap"),
    PARENT_CHECK("parent-check"),
    CGROUP_JOIN("cgroup-join"),
    CLEAR_GROUPS("clear-groups"),
    SIGNALS("signals"),
    CLONE("clone"),
    ID_MAP("id-map"),
    SYNC("sync"),
    WAIT("wait"),
    SETID_ROOT("setid-root"),
    MOUNT_PRIVATE("mount-private"),
    MOUNT_ROOT("mount-root"),
    PIVOT_ROOT("pivot_root"),
    MOUNTPOINT("mountpoint"),
    BIND("bind"),
    REMOUNT("remount"),
    MOUNT_TMPFS("mount-tmpfs"),
    MOUNT_PROC("mount-proc"),
    MOUNT_DEVPTS("mount-devpts"),
    DIR("dir"),
    FILE("file"),
    SYMLINK("symlink"),
    REMOUNT_RO("remount-ro"),
    DETACH_OLDROOT("detach-oldroot"),
    HOSTNAME("hostname"),
    LOOPBACK("loopback"),
    PROXY_LISTENERS("proxy-listeners"),
    FORK("fork"),
    EXEC_STATUS("exec-status"),
    SIGNAL_RESET("signal-reset"),
    SETSID("setsid"),
    RLIMIT("rlimit"),
    FDS("fds"),
    CAPS_BOUNDING("caps-bounding"),
    CAPS_AMBIENT("caps-ambient"),
    SETID("setid"),
    CAPS("caps"),
    CHDIR("chdir"),
    NO_NEW_PRIVS("no-new-privs"),
    LANDLOCK_ABI("landlock-abi"),
    LANDLOCK_RULESET("landlock-ruleset"),
    LANDLOCK_RULE("landlock-rule"),
    LANDLOCK_RESTRICT("landlock-restrict"),
    SECCOMP_LOAD("seccomp-load"),
    SECCOMP_LISTENER("seccomp-listener"),
    EXEC("exec");

    private final String word;

    SetupStep(String word) { this.word = word; }

    /** The name as the helper writes it in its log lines. */
    public String word() { return word; }

    public static Optional<SetupStep> byWord(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word)).findFirst();
    }
}
