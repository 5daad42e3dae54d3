package io.github.geminiimagebatch.secret;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.util.List;

/**
 * Drops every event of the HTTP client loggers that print request headers or raw bytes (Apache
 * HttpClient 5 and 4 "headers" and "wire"), whatever level they are set to: those lines carry the
 * API key header or the OAuth bearer token in full, and a custom gateway header name is not a shape
 * {@link Secrets} can recognise. Being a turbo filter it runs before levels are checked, so
 * {@code --debug}, a changed logback.xml level or a programmatic {@code setLevel(TRACE)} cannot turn
 * them back on. Register it first in logback.xml:
 * {@code <turboFilter class="io.github.geminiimagebatch.secret.HttpWireLogFilter"/>}.
 */
public final class HttpWireLogFilter extends TurboFilter {

    static final List<String> SILENCED = List.of(
            "org.apache.hc.client5.http.headers",
            "org.apache.hc.client5.http.wire",
            "org.apache.http.headers",
            "org.apache.http.wire");
    /** What every silenced name starts with: the filter runs on every log call and level check, so most names stop here. */
    private static final String SILENCED_PREFIX = "org.apache.h";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if (!name.startsWith(SILENCED_PREFIX)) {
            return FilterReply.NEUTRAL;
        }
        for (String silenced : SILENCED) {
            if (name.startsWith(silenced)) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
