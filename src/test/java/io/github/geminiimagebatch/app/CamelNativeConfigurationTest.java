package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.Settings;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** camel.* keys in config/application.properties are Camel's own settings: the user's value wins over the product's. */
class CamelNativeConfigurationTest {

    @TempDir
    Path home;

    private Main start(String camelLines) throws Exception {
        Path config = Files.createDirectories(home.resolve("config")).resolve("application.properties");
        Files.writeString(config, camelLines + "\ncamel.management.port=" + freePort() + "\n");
        Settings settings = Settings.load(Map.of("imagegen.providers", "simulator",
                "imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9",
                "imagegen.inbox", home.resolve("inbox").toString(), "imagegen.outbox", home.resolve("outbox").toString()),
                Map.of(), null, config);
        BatchApplication app = new BatchApplication(settings, home, Clock.systemUTC());
        app.prepare();
        Main main = app.main();
        main.start();
        return main;
    }

    @Test
    void theUsersJmxAndHttpPoolSettingsAreInForceInTheRunningContext() throws Exception {
        Main main = start("camel.main.jmxEnabled=true\ncamel.component.http.connectionsPerRoute=7");
        try {
            CamelContext context = main.getCamelContext();
            assertThat(main.configure().isJmxEnabled()).isTrue();
            assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(
                    new ObjectName("org.apache.camel:context=" + context.getManagementName() + ",type=context,*"), null))
                    .as("the context is registered over JMX").isNotEmpty();
            assertThat(context.getComponent("http", HttpComponent.class).getConnectionsPerRoute()).isEqualTo(7);
            assertThat(context.getComponent("https", HttpComponent.class).getConnectionsPerRoute())
                    .as("not set by the user: the product's pool").isEqualTo(32);
        } finally {
            main.stop();
        }
    }

    @Test
    void jmxIsOnUnlessTheUserTurnsItOff() throws Exception {
        Main main = start("camel.main.jmxEnabled=false");
        try {
            assertThat(main.configure().isJmxEnabled()).isFalse();
            assertThat(main.getCamelContext().getManagementStrategy().getManagementAgent()).isNull();
        } finally {
            main.stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
