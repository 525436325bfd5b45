package io.sandboxrun.net.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * The audit sink: one JSON line per {@link AuditEvent}, appended to a file or handed to a
 * consumer. Thread-safe: the proxies and DNS forwarders of all instances write to one log.
 *
 * <p>A file is written with one write(2) per line under {@code O_APPEND} (no buffer in between, so
 * a line is in the file when {@link #write} returns, and lines from two launchers sharing the file
 * do not interleave). A failed write is a WARN, once per run of failures, and counted in
 * {@link #failures()}: the app keeps running, but the loss is visible.
 */
public final class AuditLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final FileChannel file;
    private final Path path;
    private final Consumer<String> lines;
    private long failures;
    private boolean failing;

    private AuditLog(FileChannel file, Path path, Consumer<String> lines) {
        this.file = file;
        this.path = path;
        this.lines = lines;
    }

    /** Appends to {@code path}, creating it with mode 0600 (an existing file keeps its mode). */
    public static AuditLog open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return new AuditLog(ch, path, null);
    }

    /** Hands each line (without its newline) to {@code lines}, one at a time (under this log's lock). */
    public static AuditLog to(Consumer<String> lines) {
        return new AuditLog(null, null, lines);
    }

    /** Discards everything: for an app without {@code audit-log}. */
    public static AuditLog none() {
        return new AuditLog(null, null, line -> {});
    }

    /** The JSON line for {@code e}, without newline. */
    public static String line(AuditEvent e) {
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("cannot write audit event as JSON: " + x.getMessage(), x); // strings and numbers only
        }
    }

    public synchronized void write(AuditEvent e) {
        String line = line(e);
        if (file == null) {
            lines.accept(line);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) file.write(b);
            failing = false;
        } catch (IOException x) {
            failures++;
            if (!failing) LOG.log(System.Logger.Level.WARNING, "audit log write failed path=" + path + ": " + x.getMessage());
            failing = true;
        }
    }

    /** Lines that could not be written. */
    public synchronized long failures() {
        return failures;
    }

    @Override
    public synchronized void close() {
        if (file == null) return;
        try {
            file.close();
        } catch (IOException x) {
            throw new UncheckedIOException("cannot close audit log " + path, x);
        }
    }
}
