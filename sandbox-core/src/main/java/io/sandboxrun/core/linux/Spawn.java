package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.util.List;
import java.util.Map;

/**
 * posix_spawn(3): starts a program with an exact descriptor layout, without running any Java in
 * the child (a JVM cannot fork safely). glibc implements it with clone(CLONE_VM|CLONE_VFORK).
 */
public final class Spawn {
    // spawn.h (glibc)
    private static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04,
            POSIX_SPAWN_SETSIGMASK = 0x08;
    // Opaque glibc types: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 and
    // sigset_t 128 on x86_64/aarch64; allocate generously so a libc change cannot overflow them.
    private static final int OPAQUE_BYTES = 1024;
    /** Temporary descriptor numbers used to shuffle sources without clobbering targets. */
    private static final int SHUFFLE_BASE = 4096;

    /**
     * Spawns {@code path} with {@code argv} and {@code env}. {@code fds} maps target descriptor
     * numbers in the child to source descriptors in this process; descriptors 0-2 not in the
     * map are inherited, every other descriptor of ours should be close-on-exec. The child gets
     * default signal dispositions, an empty signal mask, and its own process group (so a
     * terminal's Ctrl-C reaches the launcher only, which forwards it once).
     *
     * @return the child's pid
     */
    public static int spawn(String path, List<String> argv, List<String> env, Map<Integer, Integer> fds) {
        Memory actions = new Memory(OPAQUE_BYTES);
        Memory attr = new Memory(OPAQUE_BYTES);
        Memory sigset = new Memory(OPAQUE_BYTES);
        check("posix_spawn_file_actions_init", Raw.C.posix_spawn_file_actions_init(actions), path);
        try {
            check("posix_spawnattr_init", Raw.C.posix_spawnattr_init(attr), path);
            try {
                // Two passes (source -> high temporary -> target) so that a source whose number
                // is another entry's target is never overwritten before it is copied.
                int i = 0;
                for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
                    if (e.getValue() >= SHUFFLE_BASE) throw new IllegalArgumentException("fd too high: " + e.getValue());
                    check("posix_spawn_file_actions_adddup2",
                            Raw.C.posix_spawn_file_actions_adddup2(actions, e.getValue(), SHUFFLE_BASE + i++), path);
                }
                i = 0;
                for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
                    check("posix_spawn_file_actions_adddup2",
                            Raw.C.posix_spawn_file_actions_adddup2(actions, SHUFFLE_BASE + i++, e.getKey()), path);
                }
                for (int j = 0; j < i; j++) {
                    check("posix_spawn_file_actions_addclose",
                            Raw.C.posix_spawn_file_actions_addclose(actions, SHUFFLE_BASE + j), path);
                }
                // Nothing else of ours may reach the child: the JDK opens files and pipes without
                // O_CLOEXEC (FileInputStream, FileChannel), and an inherited write end of another
                // instance's stdin pipe would keep that app from ever seeing EOF.
                // That includes a number below the highest that the layout leaves empty (glibc
                // ignores a close of a descriptor that is not open).
                int first = fds.keySet().stream().mapToInt(Integer::intValue).max().orElse(2) + 1;
                for (int n = 3; n < first; n++) {
                    if (!fds.containsKey(n)) {
                        check("posix_spawn_file_actions_addclose", Raw.C.posix_spawn_file_actions_addclose(actions, n), path);
                    }
                }
                check("posix_spawn_file_actions_addclosefrom_np",
                        Raw.C.posix_spawn_file_actions_addclosefrom_np(actions, Math.max(first, 3)), path);
                Raw.C.sigemptyset(sigset);
                check("posix_spawnattr_setsigmask", Raw.C.posix_spawnattr_setsigmask(attr, sigset), path);
                Raw.C.sigfillset(sigset);
                check("posix_spawnattr_setsigdefault", Raw.C.posix_spawnattr_setsigdefault(attr, sigset), path);
                check("posix_spawnattr_setpgroup", Raw.C.posix_spawnattr_setpgroup(attr, 0), path);
                check("posix_spawnattr_setflags", Raw.C.posix_spawnattr_setflags(attr,
                        (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), path);
                IntByReference pid = new IntByReference();
                int rc = Raw.C.posix_spawn(pid, path, actions, attr,
                        new StringArray(argv.toArray(String[]::new)), new StringArray(env.toArray(String[]::new)));
                if (rc != 0) throw SyscallException.of("posix_spawn", rc, "%s", path);
                return pid.getValue();
            } finally {
                Raw.C.posix_spawnattr_destroy(attr);
            }
        } finally {
            Raw.C.posix_spawn_file_actions_destroy(actions);
        }
    }

    /** The posix_spawn family returns an error number instead of setting errno. */
    private static void check(String call, int rc, String path) {
        if (rc != 0) throw SyscallException.of(call, rc, "%s", path);
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int posix_spawn_file_actions_init(Pointer actions);
        int posix_spawn_file_actions_destroy(Pointer actions);
        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);
        int posix_spawn_file_actions_addclose(Pointer actions, int fd);
        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);   // glibc 2.34
        int posix_spawnattr_init(Pointer attr);
        int posix_spawnattr_destroy(Pointer attr);
        int posix_spawnattr_setflags(Pointer attr, short flags);
        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);
        int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);
        int posix_spawnattr_setpgroup(Pointer attr, int pgroup);
        int sigemptyset(Pointer set);
        int sigfillset(Pointer set);
        int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attr, StringArray argv, StringArray envp);
    }

    private Spawn() {}
}
