package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Every real provider is reached over https, which Camel configures apart from http. */
class HttpComponentSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void httpsGetsTheSameTimeoutsPoolAndNoRetryAsHttp() throws Exception {
        Settings settings = Settings.load(Map.of("imagegen.http.connectTimeout", "7s", "imagegen.http.responseTimeout", "95s",
                "imagegen.concurrency", "30", "imagegen.inbox", tmp.resolve("in").toString(),
                "imagegen.outbox", tmp.resolve("out").toString(), "camel.management.enabled", "false",
                "imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9"), Map.of(), null, null);
        Properties properties = CamelSettings.forRun(RunConfig.from(settings), tmp);
        properties.setProperty("camel.main.routesIncludePattern", "classpath:no-such-folder/*.camel.yaml");

        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false");
        main.setOverrideProperties(properties);
        main.start();
        try {
            for (String name : List.of("http", "https")) {
                HttpComponent component = main.getCamelContext().getComponent(name, HttpComponent.class);
                assertThat(component.getConnectTimeout()).as(name).isEqualTo(7_000);
                assertThat(component.getResponseTimeout()).as(name).isEqualTo(95_000);
                assertThat(component.getSoTimeout()).as(name).isEqualTo(95_000);
                assertThat(component.getMaxTotalConnections()).as(name).isEqualTo(60);
                assertThat(component.getConnectionsPerRoute()).as(name).isEqualTo(60);
                assertThat(component.isAutomaticRetriesDisabled()).as(name).isTrue();
            }
        } finally {
            main.stop();
        }
    }
}
