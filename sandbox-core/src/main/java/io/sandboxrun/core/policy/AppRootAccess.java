package io.sandboxrun.core.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * Whether the app's uid can enter its app root. The helper binds the app root as host root (its
 * host ancestors never matter) and the app then does chdir("/app") with its own ids and no
 * capability, so the one thing that counts is search permission on the app root directory for
 * the app's host uid and gid (user.host-id-base + user.uid and + user.gid; the app has no
 * supplementary groups). ACLs are not read: the mode bits decide for the usual directory.
 */
public final class AppRootAccess {
    /** What the host shows of a file or directory: its mode bits, numeric owner and group, and their names. */
    public record Stat(Path path, int mode, long uid, long gid, String owner, String group) {
        /** The permission bits as chmod takes them: {@code 0755}. */
        public String modeText() {
            return String.format("%04o", mode & 07777);
        }
    }

    /**
     * The rwx bits (0..7) of {@code s} that apply to the app of {@code user}: the owner's when its
     * host uid owns it, else the group's when its host gid is the group, else the others'.
     */
    public static int bits(Stat s, Policy.Identity user) {
        return bits(s.mode(), s.uid(), s.gid(), user);
    }

    private static int bits(int mode, long uid, long gid, Policy.Identity user) {
        return (uid == user.hostUid() ? mode >> 6 : gid == user.hostGid() ? mode >> 3 : mode) & 7;
    }

    /**
     * Why {@code dir} cannot be entered by the app of {@code user}, or null when it can: names the
     * directory, its mode and owner, the app's uid inside and on the host, and the fix.
     */
    public static String problem(Stat dir, Policy.Identity user) {
        long hostUid = user.hostUid();
        long hostGid = user.hostGid();
        int bits = bits(dir, user);
        if ((bits & 1) != 0) return null;
        String klass = dir.uid() == hostUid ? "owner's" : dir.gid() == hostGid ? "group's" : "others'";
        String rwx = ((bits & 4) != 0 ? "r" : "-") + ((bits & 2) != 0 ? "w" : "-") + "-";
        return PolicyValues.quote(dir.path().toString()) + " (mode " + dir.modeText()
                + ", owner " + dir.owner() + ", group " + dir.group() + ") cannot be entered by the app: it runs as uid "
                + user.uid() + " inside, which is host uid " + hostUid + " (user.host-id-base " + user.hostIdBase()
                + " + user.uid " + user.uid() + ") with gid " + hostGid + ", and the mode gives it the " + klass + " bits "
                + rwx + ", without search (x) permission; let it in, e.g. chmod a+rX " + dir.path();
    }

    /** The mode and owner of {@code dir} (or a file) as the host shows them, symlinks followed. */
    public static Stat read(Path dir) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid,gid,owner,group");
        long uid = id(a, "uid");
        long gid = id(a, "gid");
        return new Stat(dir, (Integer) a.get("mode"), uid, gid, name(((UserPrincipal) a.get("owner")).getName(), uid),
                name(((GroupPrincipal) a.get("group")).getName(), gid));
    }

    /**
     * Why the app of {@code user} cannot enter {@code dir}, or null when it can or the host does not
     * say. One stat when it can: the owner's and group's names are looked up only for the message.
     */
    public static String check(Path dir, Policy.Identity user) {
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid,gid");
            if ((bits((Integer) a.get("mode"), id(a, "uid"), id(a, "gid"), user) & 1) != 0) return null;
            return problem(read(dir), user);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;   // no unix attributes here: the helper's chdir will tell
        }
    }

    private static long id(Map<String, Object> attributes, String name) {
        return ((Number) attributes.get(name)).longValue();
    }

    /** A principal's name; the JDK gives the number itself when the id has no name. */
    private static String name(String name, long id) {
        return name.equals(Long.toString(id)) ? name : name + "(" + id + ")";
    }

    private AppRootAccess() {}
}
