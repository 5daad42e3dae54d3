package io.github.geminiimagebatch.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.net.BindException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drops the two lines Vert.x and Camel print when the management HTTP server cannot bind its port
 * (a WARN "Failed to start Vert.x HttpServer" and an ERROR "Unhandled exception" with a stack trace):
 * they name neither the setting nor what to do. The failure is noted instead, for
 * {@link ManagementPortCheck} to say in one line that names {@code camel.management.port}: Camel goes
 * on as if the server had started, so this line is the only sign of it. Any other unhandled Vert.x
 * exception is still logged. Registered in logback.xml.
 */
public final class ManagementBindFailureFilter extends TurboFilter {

    static final String SERVER_LOGGER = "org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer";
    private static final String VERTX_CONTEXT_LOGGERS = "io.vertx.core.impl.Context";
    /** Why a server failed to listen, by "host:port", until {@link #takeBindFailure} reads it. */
    private static final Map<String, String> BIND_FAILURES = new ConcurrentHashMap<>();

    /** Why the platform-http server on {@code host:port} failed to listen, once; empty when it did not fail. */
    static Optional<String> takeBindFailure(String host, int port) {
        return Optional.ofNullable(BIND_FAILURES.remove(host + ":" + port));
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null || format == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if (name.equals(SERVER_LOGGER) && format.startsWith("Failed to start Vert.x HttpServer")) {
            // "Failed to start Vert.x HttpServer on {}:{}, reason: {}"
            if (params != null && params.length == 3) {
                BIND_FAILURES.put(params[0] + ":" + params[1], String.valueOf(params[2]));
            }
            return FilterReply.DENY;
        }
        if (name.startsWith(VERTX_CONTEXT_LOGGERS) && format.equals("Unhandled exception") && isServerBindFailure(t)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /** A BindException that the platform-http server's start-up handler passed on. */
    static boolean isServerBindFailure(Throwable t) {
        boolean bind = false;
        for (Throwable cause = t; cause != null && !bind; cause = cause.getCause() == cause ? null : cause.getCause()) {
            bind = cause instanceof BindException;
        }
        return bind && Arrays.stream(t.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(SERVER_LOGGER));
    }
}
