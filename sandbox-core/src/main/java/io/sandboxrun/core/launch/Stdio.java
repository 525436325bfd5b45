package io.sandboxrun.core.launch;

import java.nio.file.Path;

/** Where one of the app's standard streams goes. */
public sealed interface Stdio {
    /** The launcher's own descriptor is passed through. */
    record Inherit() implements Stdio {}

    /** /dev/null. */
    record Null() implements Stdio {}

    /** A host file, opened by the launcher (created 0600 for output; appended when asked). */
    record File(Path path, boolean append) implements Stdio {}

    /** A pipe whose other end the caller reads or writes through {@link Instance}. */
    record Pipe() implements Stdio {}

    Stdio INHERIT = new Inherit();
    Stdio NULL = new Null();
    Stdio PIPE = new Pipe();
}
