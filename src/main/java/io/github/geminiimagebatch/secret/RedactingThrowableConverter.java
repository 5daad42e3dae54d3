package io.github.geminiimagebatch.secret;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code %ex} with credentials masked in every exception message of the cause chain (an HTTP
 * client's exception often quotes the URL, and a URL may carry {@code ?key=}). Being a
 * throwable-handling converter, it also stops logback from appending its own unredacted
 * {@code %ex} to a pattern that has none.
 */
public final class RedactingThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy throwableProxy) {
        return Secrets.redact(super.throwableProxyToString(throwableProxy));
    }
}
