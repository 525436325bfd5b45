package io.sandboxrun.launcher;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo actions registered as resources are created; run in reverse order unless the scope is
 * committed, so a failed launch leaves nothing half-created. Cleanup failures are attached to the
 * first error, never hide it.
 */
final class Rollback implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Rollback.class.getName());
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private boolean committed;

    void onFailure(Runnable action) { undo.push(action); }

    void commit() { committed = true; }

    @Override
    public void close() {
        if (committed) return;
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "rollback step failed: " + e.getMessage());
            }
        }
    }
}
