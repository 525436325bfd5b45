package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which app roots the app's uid can enter: the kernel's owner, group, others rule on the mode. */
class AppRootAccessTest {
    private static final Policy.Identity APP = new Policy.Identity(1000, 1000, 200000L, 65536);
    private static final Path DIR = Path.of("/srv/app");

    private static AppRootAccess.Stat dir(int mode, long uid, long gid) {
        return new AppRootAccess.Stat(DIR, mode, uid, gid, uid == 0 ? "root(0)" : Long.toString(uid),
                gid == 0 ? "root(0)" : Long.toString(gid));
    }

    @Test
    void searchPermissionOfTheClassTheAppFallsInDecides() {
        assertNull(AppRootAccess.problem(dir(0755, 0, 0), APP));
        assertNull(AppRootAccess.problem(dir(0711, 0, 0), APP));       // entering needs x only
        assertNull(AppRootAccess.problem(dir(0700, 201000, 0), APP));  // the app's own
        assertNull(AppRootAccess.problem(dir(0750, 0, 201000), APP));  // the app's group
        assertEquals("\"/srv/app\" (mode 0700, owner root(0), group root(0)) cannot be entered by the app: it runs as"
                + " uid 1000 inside, which is host uid 201000 (user.host-id-base 200000 + user.uid 1000) with gid 201000,"
                + " and the mode gives it the others' bits ---, without search (x) permission; let it in, e.g."
                + " chmod a+rX /srv/app", AppRootAccess.problem(dir(0700, 0, 0), APP));
        // The owner's bits apply to the owner even when others may enter.
        assertEquals("\"/srv/app\" (mode 0655, owner 201000, group root(0)) cannot be entered by the app: it runs as"
                + " uid 1000 inside, which is host uid 201000 (user.host-id-base 200000 + user.uid 1000) with gid 201000,"
                + " and the mode gives it the owner's bits rw-, without search (x) permission; let it in, e.g."
                + " chmod a+rX /srv/app", AppRootAccess.problem(dir(0655, 201000, 0), APP));
        assertEquals(true, AppRootAccess.problem(dir(0705, 0, 201000), APP).contains("the group's bits ---"));
        // Another mapping moves the app's host uid.
        assertNull(AppRootAccess.problem(dir(0700, 301001, 0), new Policy.Identity(1001, 1000, 300000L, 65536)));
    }

    @Test
    void theResolverRefusesAnAppRootTheAppCannotEnter(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectory(tmp.resolve("closed"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        PolicyLayer layer = PolicyLayer.builder("command line").set("command", List.of("true"), PolicyOrigin.option("--"))
                .set("app-root", root, PolicyOrigin.option("--app-root")).build();

        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyResolver.resolve(PolicyDefaults.embedded(tmp), List.of(layer)));

        AppRootAccess.Stat seen = AppRootAccess.read(root.toRealPath());
        assertEquals("--app-root: " + AppRootAccess.problem(seen, APP), e.getMessage());
        assertEquals(true, e.getMessage().startsWith("--app-root: \"" + root.toRealPath() + "\" (mode 0700, owner "),
                e.getMessage());
        assertEquals(2, e.exitCode());

        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        assertEquals(root.toRealPath(), PolicyResolver.resolve(PolicyDefaults.embedded(tmp), List.of(layer)).appRoot());
    }
}
