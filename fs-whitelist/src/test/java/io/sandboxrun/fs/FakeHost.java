package io.sandboxrun.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A fake host tree in a temp dir: a Debian 12 style usr-merged runtime plus whatever a test adds. */
final class FakeHost {
    static final String LOADER = "/lib64/ld-linux-x86-64.so.2";
    final Path root;

    FakeHost(Path root) { this.root = root; }

    /**
     * A fresh temp dir for a fake tree. Not JUnit's @TempDir: fake trees hold absolute symlinks
     * (pointing outside the dir on the real host), which it warns about on every deletion.
     */
    static Path newRoot() {
        try {
            return Files.createTempDirectory("fakehost");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a tree made by {@link #newRoot}, never following links. */
    static void delete(Path root) {
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Usr-merge links, the loader, libc, /usr/bin/env and the optional /etc entries. */
    static FakeHost debian(Path root) {
        FakeHost h = new FakeHost(root);
        h.dir("/usr/bin").dir("/usr/sbin").dir("/usr/lib/x86_64-linux-gnu").dir("/usr/lib64").dir("/usr/local/bin");
        h.link("/bin", "usr/bin").link("/sbin", "usr/sbin").link("/lib", "usr/lib").link("/lib64", "usr/lib64");
        h.file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "ld", true);
        h.link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        h.file("/usr/lib/x86_64-linux-gnu/libc.so.6", "libc", false);
        h.file("/usr/lib/x86_64-linux-gnu/libm.so.6", "libm", false);
        h.elf("/usr/bin/env", LOADER).elf("/usr/bin/dash", LOADER).link("/usr/bin/sh", "dash");
        h.file("/etc/ld.so.cache", "cache", false).file("/etc/mime.types", "", false).dir("/etc/ssl/certs")
                .dir("/etc/alternatives").file("/etc/shadow", "secret", false);
        h.dir("/usr/share/zoneinfo/Etc").file("/usr/share/zoneinfo/Etc/UTC", "TZif", false);
        h.link("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
        h.dir("/srv/apps/hello");
        return h;
    }

    HostFs fs() { return HostFs.rootedAt(root); }

    Path p(String path) { return root.resolve(path.substring(1)); }

    FakeHost dir(String path) {
        try {
            Files.createDirectories(p(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    FakeHost file(String path, String content, boolean executable) {
        return bytes(path, content.getBytes(StandardCharsets.UTF_8), executable);
    }

    FakeHost bytes(String path, byte[] content, boolean executable) {
        try {
            Files.createDirectories(p(path).getParent());
            Files.write(p(path), content);
            Files.setPosixFilePermissions(p(path), PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    FakeHost link(String path, String target) {
        try {
            Files.createDirectories(p(path).getParent());
            Files.createSymbolicLink(p(path), Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** An executable ELF64 file: dynamic with PT_INTERP {@code interp}, or static when null. */
    FakeHost elf(String path, String interp) {
        return bytes(path, elfBytes(interp, true), true);
    }

    static byte[] elfBytes(String interp, boolean is64) {
        byte[] s = interp == null ? new byte[0] : (interp + "\0").getBytes(StandardCharsets.US_ASCII);
        int ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
        int phnum = interp == null ? 1 : 2;
        int strOff = ehsize + phnum * phentsize;
        ByteBuffer b = ByteBuffer.allocate(strOff + s.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1, 0});
        b.position(16);
        b.putShort((short) 2).putShort((short) (is64 ? 62 : 3)).putInt(1);
        if (is64) {
            b.putLong(0x401000).putLong(ehsize).putLong(0).putInt(0);
        } else {
            b.putInt(0x8049000).putInt(ehsize).putInt(0).putInt(0);
        }
        b.putShort((short) ehsize).putShort((short) phentsize).putShort((short) phnum).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        b.position(ehsize);
        if (interp != null) phdr(b, is64, 3, strOff, s.length);
        phdr(b, is64, 1, 0, strOff + s.length);
        b.position(strOff);
        b.put(s);
        return b.array();
    }

    private static void phdr(ByteBuffer b, boolean is64, int type, long off, long size) {
        int start = b.position();
        b.putInt(type);
        if (is64) {
            b.putInt(4).putLong(off).putLong(off).putLong(off).putLong(size).putLong(size).putLong(8);
        } else {
            b.putInt((int) off).putInt((int) off).putInt((int) off).putInt((int) size).putInt((int) size).putInt(4).putInt(4);
        }
        b.position(start + (is64 ? 56 : 32));
    }
}
