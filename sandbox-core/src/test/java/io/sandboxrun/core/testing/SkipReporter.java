package io.sandboxrun.core.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/** Prints every skipped or aborted test with its reason, and a summary: a skip never passes silently. */
public final class SkipReporter implements TestExecutionListener {
    private final List<String> skipped = new ArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        record(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(id, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private synchronized void record(TestIdentifier id, String reason) {
        String line = "SKIPPED " + id.getDisplayName() + " [" + id.getUniqueId() + "]: " + reason;
        skipped.add(line);
        System.err.println(line);
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        if (!skipped.isEmpty()) {
            System.err.println("SKIPPED TESTS: " + skipped.size());
            skipped.forEach(s -> System.err.println("  " + s));
        }
    }
}
