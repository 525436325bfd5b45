package io.sandboxrun.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one fact discovery needs from an ELF file: its program interpreter (PT_INTERP), i.e.
 * whether it is dynamically linked and by which loader. Parsed from bytes, never executed.
 * Layout: elf(5), {@code <elf.h>} Elf32_Ehdr/Elf64_Ehdr and Elf32_Phdr/Elf64_Phdr.
 */
final class ElfFile {
    static final int HEADER_BYTES = 64;
    private static final int PT_INTERP = 3;
    private static final int MAX_INTERP = 4096;

    private ElfFile() {}

    static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /**
     * The PT_INTERP path of the file, or empty for a static executable. Throws
     * IllegalArgumentException when the headers are not a well-formed ELF file.
     */
    static Optional<String> interpreter(HostFs fs, String hostPath) {
        byte[] head = fs.read(hostPath, 0, HEADER_BYTES);
        if (!isElf(head) || head.length < 52) throw new IllegalArgumentException("not an ELF file");
        boolean is64 = switch (head[4]) {   // EI_CLASS
            case 1 -> false;
            case 2 -> true;
            default -> throw new IllegalArgumentException("bad ELF class " + head[4]);
        };
        ByteOrder order = switch (head[5]) { // EI_DATA
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new IllegalArgumentException("bad ELF data encoding " + head[5]);
        };
        if (is64 && head.length < HEADER_BYTES) throw new IllegalArgumentException("truncated ELF header");
        ByteBuffer h = ByteBuffer.wrap(head).order(order);
        long phoff = is64 ? h.getLong(32) : Integer.toUnsignedLong(h.getInt(28));
        int phentsize = Short.toUnsignedInt(h.getShort(is64 ? 54 : 42));
        int phnum = Short.toUnsignedInt(h.getShort(is64 ? 56 : 44));
        int minEnt = is64 ? 56 : 32;
        if (phnum == 0) return Optional.empty();
        if (phentsize < minEnt || phnum > 4096) throw new IllegalArgumentException("bad program header table");
        ByteBuffer ph = ByteBuffer.wrap(fs.read(hostPath, phoff, phentsize * phnum)).order(order);
        if (ph.capacity() < phentsize * phnum) throw new IllegalArgumentException("truncated program header table");
        for (int i = 0; i < phnum; i++) {
            int base = i * phentsize;
            if (ph.getInt(base) != PT_INTERP) continue;
            long off = is64 ? ph.getLong(base + 8) : Integer.toUnsignedLong(ph.getInt(base + 4));
            long size = is64 ? ph.getLong(base + 32) : Integer.toUnsignedLong(ph.getInt(base + 16));
            if (size <= 1 || size > MAX_INTERP || off < 0) throw new IllegalArgumentException("bad PT_INTERP");
            byte[] s = fs.read(hostPath, off, (int) size);
            int len = 0;
            while (len < s.length && s[len] != 0) len++;
            return Optional.of(new String(s, 0, len, StandardCharsets.UTF_8));
        }
        return Optional.empty();
    }
}
