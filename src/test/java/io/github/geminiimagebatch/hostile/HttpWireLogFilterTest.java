package io.github.geminiimagebatch.hostile;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The product's logback.xml drops the HTTP client's header and wire loggers even when they are set to TRACE. */
class HttpWireLogFilterTest {

    @Test
    void headerAndWireLoggersAreSilentAtAnyLevelOthersAreNot() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.setContext(context);
        events.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger hc = context.getLogger("org.apache.hc");
        Level before = hc.getLevel();
        root.addAppender(events);
        hc.setLevel(Level.TRACE);
        try {
            for (String name : new String[] {"org.apache.hc.client5.http.headers", "org.apache.hc.client5.http.wire",
                    "org.apache.http.headers", "org.apache.http.wire"}) {
                Logger logger = context.getLogger(name);
                logger.setLevel(Level.TRACE);
                logger.trace("http-outgoing-0 >> x-custom-auth: k");
                logger.debug("http-outgoing-0 >> x-custom-auth: k");
                logger.error("http-outgoing-0 >> x-custom-auth: k");
                logger.setLevel(null);
            }
            context.getLogger("org.apache.hc.client5.http.impl.classic.InternalHttpClient").debug("an ordinary debug line");
        } finally {
            hc.setLevel(before);
            root.detachAppender(events);
        }
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("an ordinary debug line");
    }
}
