package io.sandboxrun.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * MountSyscalls that keep a mount table in a file, in mountinfo format, so several processes
 * share it; unmount empties the directory as a vanishing tmpfs would. Records its own calls.
 */
final class FakeMounts implements MountSyscalls {
    private final Path table;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile RuntimeException failMount;

    FakeMounts(Path table) {
        this.table = table;
    }

    @Override
    public void mountTmpfs(Path target, String options, long flags) {
        calls.add("mount " + target + " " + options + " flags=" + flags);
        if (failMount != null) throw failMount;
        append("99 1 0:99 / " + target.toString().replace("\\", "\\134").replace(" ", "\\040") + " rw,nosuid,nodev,noexec - tmpfs tmpfs " + options);
    }

    @Override
    public void unmount(Path target) {
        calls.add("unmount " + target);
        String esc = target.toString().replace("\\", "\\134").replace(" ", "\\040");
        List<String> keep = new ArrayList<>();
        for (String l : lines()) if (!l.split(" ")[4].equals(esc)) keep.add(l);
        write(keep);
        try (Stream<Path> s = Files.walk(target)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) if (!p.equals(target)) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String mountinfo() {
        return String.join("\n", lines());
    }

    List<String> lines() {
        try {
            return Files.exists(table) ? Files.readAllLines(table) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(String line) {
        List<String> l = new ArrayList<>(lines());
        l.add(line);
        write(l);
    }

    private void write(List<String> l) {
        try {
            Files.write(table, l);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
