package io.github.geminiimagebatch.secret;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} with credentials masked by {@link Secrets#redact}. Register it in logback.xml with
 * {@code <conversionRule conversionWord="msg" class="io.github.geminiimagebatch.secret.RedactingMessageConverter"/>}
 * (and the same for {@code m} and {@code message} if the pattern uses those spellings).
 */
public final class RedactingMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.redact(super.convert(event));
    }
}
