package io.sandboxrun.launcher;

import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Pipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's side and the helper's side of the app's standard streams.
 *
 * @param childFds      standard descriptor number in the helper to our descriptor for it
 * @param parentStreams the caller's ends of piped streams
 */
record StdioEnds(Map<Integer, Integer> childFds, SandboxInstance.Streams parentStreams) {
    void closeParentStreams() {
        parentStreams.close();
    }

    /**
     * Opens the helper's end of each stream in {@code replaced} (see {@link FdLayout#stdio()}) and,
     * for a pipe, ours; the helper's ends are added to {@code childEnds} for the caller to close.
     * Our streams opened before a failure are closed here: the caller never got them.
     */
    static StdioEnds open(List<Stdio> streams, List<Integer> replaced, List<Fd> childEnds) {
        Map<Integer, Integer> fds = new LinkedHashMap<>();
        Optional<OutputStream> in = Optional.empty();
        Optional<InputStream> out = Optional.empty(), err = Optional.empty();
        try {
            for (int n : replaced) {
                Stdio s = streams.get(n);
                if (s instanceof Stdio.Null) {
                    Fd f = Fd.open(Path.of("/dev/null"), Fd.O_RDWR, 0);
                    childEnds.add(f);
                    fds.put(n, f.get());
                } else if (s instanceof Stdio.File file) {
                    int flags = n == 0 ? Fd.O_RDONLY
                            : Fd.O_WRONLY | Fd.O_CREAT | (file.append() ? Fd.O_APPEND : Fd.O_TRUNC);
                    Fd f = Fd.open(file.path(), flags, 0600);
                    childEnds.add(f);
                    fds.put(n, f.get());
                } else if (s instanceof Stdio.Pipe) {
                    Pipe p = Pipe.open();
                    Fd child = n == 0 ? p.readEnd() : p.writeEnd();
                    Fd ours = n == 0 ? p.writeEnd() : p.readEnd();
                    childEnds.add(child);
                    fds.put(n, child.get());
                    try (ours) {
                        // Re-open our end by path: Java streams cannot adopt a raw descriptor.
                        String path = "/proc/self/fd/" + ours.get();
                        if (n == 0) in = Optional.of(PipeStreams.output(path));
                        else if (n == 1) out = Optional.of(PipeStreams.input(path));
                        else err = Optional.of(PipeStreams.input(path));
                    } catch (IOException e) {
                        throw new SetupException("stdio", "cannot open a pipe for fd " + n + ": " + e.getMessage(), e);
                    }
                }
            }
        } catch (RuntimeException e) {
            new SandboxInstance.Streams(in, out, err).close();
            throw e;
        }
        return new StdioEnds(fds, new SandboxInstance.Streams(in, out, err));
    }
}
