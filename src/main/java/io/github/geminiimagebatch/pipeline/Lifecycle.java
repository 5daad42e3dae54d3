package io.github.geminiimagebatch.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/** Ends a {@code --once} run when the inbox poll comes back empty and no batch is still running. */
public final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final RunState run;
    private final boolean once;
    private final Runnable onDrained;
    private final AtomicBoolean drained = new AtomicBoolean();

    public Lifecycle(RunState run, boolean once, Runnable onDrained) {
        this.run = run;
        this.once = once;
        this.onDrained = onDrained;
    }

    public void inboxIdle() {
        if (once && run.activeBatches() == 0 && drained.compareAndSet(false, true)) {
            LOG.info("Inbox drained: every prompt file has been worked through.");
            onDrained.run();
        }
    }

    public boolean isDrained() {
        return drained.get();
    }
}
