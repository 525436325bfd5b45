package io.sandboxrun.launcher;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Java streams over our ends of the app's stdio pipes, opened through {@code /proc/self/fd/N}
 * (Java cannot adopt a raw descriptor). Only plain reads and writes are passed on: the file
 * streams' bulk methods seek, which a pipe refuses (ESPIPE).
 */
final class PipeStreams {
    static InputStream input(String path) throws IOException {
        FileInputStream in = new FileInputStream(path);
        return new InputStream() {
            @Override public int read() throws IOException { return in.read(); }

            @Override public int read(byte[] b, int off, int len) throws IOException { return in.read(b, off, len); }

            @Override public void close() throws IOException { in.close(); }
        };
    }

    static OutputStream output(String path) throws IOException {
        FileOutputStream out = new FileOutputStream(path);
        return new OutputStream() {
            @Override public void write(int b) throws IOException { out.write(b); }

            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

            @Override public void close() throws IOException { out.close(); }
        };
    }

    /** Closes a stream of ours during cleanup; a failure there must not hide the first error. */
    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // cleanup after a failed launch: the launch's own error is what the caller sees
        }
    }

    private PipeStreams() {}
}
