package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Error} in an item thread (a defect, a broken library, a stack overflow) is contained: the item
 * stays pending and is tried again with its file, and fails with the reason if the error repeats; the
 * service goes on. An error that leaves the JVM unsafe to run on (out of memory, an internal JVM error)
 * ends the process at once with {@link #EXIT_FATAL}, so a supervisor starts it again: prompt files stay
 * in the inbox and stored images are in the key index, so nothing is lost and nothing stored is paid again.
 */
public final class ErrorContainment {

    /** Exit status after an error that leaves the JVM unsafe (EX_SOFTWARE). */
    public static final int EXIT_FATAL = 70;

    private static final Logger LOG = LoggerFactory.getLogger(ErrorContainment.class);

    private final RunState run;
    private final Map<String, Integer> errorsByRequestKey = new ConcurrentHashMap<>();

    public ErrorContainment(RunState run) {
        this.run = run;
    }

    /** Called by the item route's doCatch of java.lang.Error (Camel finds it anywhere in the cause chain). */
    public void itemError(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Error error = errorIn(caught);
        if (error == null) {
            throw new IllegalStateException("itemError without an Error in " + caught, caught);
        }
        if (unsafe(error)) {
            halt(error, "an item thread");
        }
        WorkItem item = exchange.getProperty("item", WorkItem.class);
        String what = error.getClass().getSimpleName() + (error.getMessage() == null ? ""
                : ": " + Secrets.redact(error.getMessage()));
        if (item == null) {
            LOG.error("An item could not even be started: {}", what);
            return;
        }
        LOG.debug("stack trace", error);
        if (item.getStatus() != WorkItem.Status.WORKING) {
            return;
        }
        String key = item.getRequestKey() == null ? item.toString() : item.getRequestKey();
        int times = errorsByRequestKey.merge(key, 1, Integer::sum);
        if (times == 1) {
            LOG.error("{}: internal error ({}); the item stays pending and is tried again with its file.", item, what);
            item.settle(WorkItem.Status.PENDING, "internal_error", "internal error (" + what
                    + "); tried again with its file", run.clock().instant());
        } else {
            errorsByRequestKey.remove(key);
            LOG.error("{}: the same internal error again ({}); the item fails. Report it if it repeats.", item, what);
            item.settle(WorkItem.Status.FAILED, "internal_error", "internal error, twice (" + what + ")",
                    run.clock().instant());
        }
    }

    /** Out of memory or a broken JVM: nothing can be trusted to run on, not even a graceful stop. */
    static boolean unsafe(Error error) {
        return error instanceof OutOfMemoryError || error instanceof InternalError || error instanceof UnknownError;
    }

    static Error errorIn(Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error e) {
                return e;
            }
        }
        return null;
    }

    /** Ends the process after a fatal error anywhere: item threads, Camel's threads, any other thread. */
    public static void installForUncaughtErrors() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (error instanceof Error e && unsafe(e)) {
                halt(e, "thread " + thread.getName());
            }
            if (previous != null) {
                previous.uncaughtException(thread, error);
            } else {
                LOG.error("Thread {} ended with an unexpected error: {}", thread.getName(), String.valueOf(error));
            }
        });
    }

    private static void halt(Error error, String where) {
        String message = "gemini-image-batch: fatal " + error.getClass().getSimpleName() + " in " + where
                + "; the JVM is not safe to run on, so the process ends now (exit " + EXIT_FATAL + ") for its supervisor"
                + " to start it again. Prompt files stay in the inbox and stored images are kept: the restart finishes"
                + " the rest without paying again for what is stored."
                + (error instanceof OutOfMemoryError ? " If it repeats, give the JVM more memory (JAVA_OPTS=-Xmx...)"
                + " or lower imagegen.concurrency." : "");
        try {
            LOG.error(message);
        } catch (Throwable ignored) {
            // logging itself may fail when memory is gone; the line on stderr below is the fallback
        }
        System.err.println(message);
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_FATAL);
    }
}
