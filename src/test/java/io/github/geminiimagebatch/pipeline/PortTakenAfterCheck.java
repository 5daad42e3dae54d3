package io.github.geminiimagebatch.pipeline;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes a port the moment the start-up check has found it free and said so ("Operator endpoints: http://..."),
 * as a second instance started at the same time does; keeps every log line of the run meanwhile, so a test
 * can show that no bare Vert.x line was logged.
 */
final class PortTakenAfterCheck extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final int port;
    private final List<String> lines = new ArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private ServerSocket taken;

    private PortTakenAfterCheck(int port) {
        this.port = port;
    }

    static PortTakenAfterCheck attach(int port) {
        PortTakenAfterCheck squatter = new PortTakenAfterCheck(port);
        squatter.setName("port-taken-after-check");
        squatter.setContext(squatter.root.getLoggerContext());
        squatter.start();
        squatter.root.addAppender(squatter);
        return squatter;
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        lines.add(event.getLevel() + " " + event.getLoggerName() + " " + message
                + (event.getThrowableProxy() == null ? "" : " | " + event.getThrowableProxy().getClassName()));
        if (taken == null && message.startsWith("Operator endpoints: http://127.0.0.1:" + port + "/")) {
            try {
                taken = new ServerSocket();
                taken.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    synchronized boolean took() {
        return taken != null;
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public synchronized void close() throws IOException {
        root.detachAppender(this);
        stop();
        if (taken != null) {
            taken.close();
        }
    }
}
