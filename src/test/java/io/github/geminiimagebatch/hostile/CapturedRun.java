package io.github.geminiimagebatch.hostile;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the real command in this JVM with System.out and System.err captured: the product's
 * logback.xml writes to the console through System.out at each call, so every log line the process
 * would print lands in {@link #output}, next to picocli's own messages. Logger levels changed by
 * {@code --debug} are put back afterwards, so later tests see the product's configuration.
 */
record CapturedRun(int exitCode, String output, long millis) {

    private static final String[] TOUCHED_LOGGERS = {
            "io.github.geminiimagebatch", "org.apache.camel", "org.apache.hc", Logger.ROOT_LOGGER_NAME};

    static synchronized CapturedRun execute(String... args) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Map<String, Level> levels = new HashMap<>();
        for (String name : TOUCHED_LOGGERS) {
            levels.put(name, context.getLogger(name).getLevel());
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(captured, true, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        int code;
        try {
            System.setOut(sink);
            System.setErr(sink);
            code = GeminiImageBatch.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String text = captured.toString(StandardCharsets.UTF_8);
        out.print(text.length() > 200_000 ? text.substring(0, 200_000) + "\n... (cut)\n" : text);
        return new CapturedRun(code, text, millis);
    }
}
