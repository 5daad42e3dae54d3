package io.github.geminiimagebatch.secret;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logs through a real logback pipeline configured from XML, as the product will, and reads what reached the file. */
class RedactingConvertersTest {

    private static final String CONFIGURED_KEY = "gw-0123456789-secret";
    private static final String GOOGLE_KEY = "AIzaSyB-abcdefghijklmnopqrstuvwxyz01234";

    @TempDir
    Path dir;

    private LoggerContext context;
    private Path logFile;

    @BeforeEach
    void configure() throws JoranException {
        logFile = dir.resolve("app.log");
        context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("logFile", logFile.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        URL config = getClass().getResource("/secret/logback-redaction.xml");
        configurator.doConfigure(config);
        Secrets.register(CONFIGURED_KEY);
    }

    @AfterEach
    void stop() {
        context.stop();
        Secrets.clearForTests();
    }

    @Test
    void messagesAndArgumentsAreRedacted() throws IOException {
        Logger log = context.getLogger("wire");

        log.info("calling https://gw.example/v1beta/models/m:generateContent?key={} with header x-goog-api-key: {}", GOOGLE_KEY, CONFIGURED_KEY);

        String written = read();
        assertThat(written).doesNotContain(GOOGLE_KEY, CONFIGURED_KEY)
                .contains("INFO wire - calling https://gw.example/v1beta/models/m:generateContent?key=*** with header x-goog-api-key: ***");
    }

    @Test
    void exceptionMessagesAreRedactedThroughTheWholeCauseChain() throws IOException {
        Logger log = context.getLogger("wire");
        Exception root = new IllegalStateException("gateway echoed Authorization: Bearer " + CONFIGURED_KEY);
        Exception middle = new RuntimeException("retrying with key " + CONFIGURED_KEY, root);
        Exception top = new IOException("POST https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=" + GOOGLE_KEY + " failed", middle);
        top.addSuppressed(new IOException("cleanup saw " + CONFIGURED_KEY));

        log.error("image request failed", top);

        String written = read();
        assertThat(written).doesNotContain(GOOGLE_KEY, CONFIGURED_KEY)
                .contains("java.io.IOException: POST https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=*** failed")
                .contains("Caused by: java.lang.RuntimeException: retrying with key ***")
                .contains("Caused by: java.lang.IllegalStateException: gateway echoed Authorization: ***")
                .contains("Suppressed: java.io.IOException: cleanup saw ***")
                .contains("at io.github.geminiimagebatch.secret.RedactingConvertersTest");
    }

    private String read() throws IOException {
        assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback reported no errors")
                .noneMatch(status -> status.getLevel() == Status.ERROR);
        return Files.readString(logFile, StandardCharsets.UTF_8);
    }
}
