package io.sandboxrun.core.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The host's users and groups by name, from the files chown(1) reads without NSS services:
 * /etc/passwd and /etc/group ({@code name:password:id:...}, passwd(5), group(5)).
 */
final class Accounts {
    static final Path PASSWD = Path.of("/etc/passwd");
    static final Path GROUP = Path.of("/etc/group");

    /** The id of {@code name} in the passwd- or group-format file {@code file}; empty when absent or unreadable. */
    static OptionalInt lookup(Path file, String name) {
        try {
            return find(Files.readString(file), name);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** The id of {@code name} in passwd- or group-format text (the third field of its line). */
    static OptionalInt find(String text, String name) {
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 3 || !f[0].equals(name)) continue;
            try {
                return OptionalInt.of(Integer.parseInt(f[2]));
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    private Accounts() {}
}
