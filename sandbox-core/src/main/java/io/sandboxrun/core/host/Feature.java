package io.sandboxrun.core.host;

/** The closed vocabulary of host features that walls and tests depend on. */
public enum Feature {
    /** The launcher runs as root (uid 0): needed to map a user namespace and mount the tmp space. */
    ROOT,
    /** User namespaces can be created. */
    USERNS,
    /** Landlock is available (any ABI). */
    LANDLOCK,
    /** pidfd_open(2) works. */
    PIDFD,
    /** pidfd_getfd(2) works (Linux 5.6): the connect redirect takes the app's socket with it. */
    PIDFD_GETFD,
    /** The sandbox-init helper is built and passes the ownership check. */
    HELPER,
    /** seccomp user notification (SECCOMP_FILTER_FLAG_NEW_LISTENER, Linux 5.0; ID_VALID fixed in 5.17). */
    SECCOMP_NOTIFY,
    /** Instance cgroups can be made with the memory, cpu and pids controllers (v2, or v1 on a hybrid/legacy host). */
    CGROUP_LIMITS,
    /** libseccomp (libseccomp.so.2) loads: profiles can be compiled. */
    LIBSECCOMP
}
