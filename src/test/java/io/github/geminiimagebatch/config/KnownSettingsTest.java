package io.github.geminiimagebatch.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class KnownSettingsTest {

    @Test
    void knownKeysProviderLeavesAndOtherNamespacesPass() {
        assertThat(KnownSettings.problem("imagegen.concurrency")).isEmpty();
        assertThat(KnownSettings.problem("imagegen.output.s3.partSize")).isEmpty();
        assertThat(KnownSettings.problem("imagegen.provider.project2.apiKey")).isEmpty();
        assertThat(KnownSettings.problem("imagegen.provider.corp.param.tag")).isEmpty();
        assertThat(KnownSettings.problem("imagegen.provider.aistudio.price.4K")).isEmpty();
        assertThat(KnownSettings.problem("camel.management.port")).isEmpty();
    }

    @Test
    void aTypoNamesTheClosestKnownKey() {
        assertThat(KnownSettings.problem("imagegen.concurency")).get().asString()
                .contains("Unknown setting imagegen.concurency").contains("Did you mean imagegen.concurrency?");
        assertThat(KnownSettings.problem("imagegen.inbox.pollDelay")).get().asString()
                .contains("Did you mean imagegen.inbox.pollDelayMillis?");
        assertThat(KnownSettings.problem("imagegen.budget.maxusd")).get().asString()
                .contains("Did you mean imagegen.budget.maxUsd?");
        assertThat(KnownSettings.problem("imagegen.provider.vertex.credentialFile")).get().asString()
                .contains("Did you mean imagegen.provider.vertex.credentialsFile?");
    }

    /** Every setting the documented properties file shows, set or commented out, is one the bundle accepts. */
    @Test
    void everySettingInTheDocumentedPropertiesFileIsKnown() throws IOException {
        Pattern setting = Pattern.compile("^#?\\s*(imagegen\\.[A-Za-z0-9_.-]+)\\s*=");
        List<String> keys = Files.readAllLines(Path.of("config/application.properties")).stream()
                .map(setting::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
        assertThat(keys).hasSizeGreaterThan(40)
                .allSatisfy(key -> assertThat(KnownSettings.problem(key)).as(key).isEmpty());
    }

    @Test
    void levenshtein() {
        assertThat(KnownSettings.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(KnownSettings.distance("", "abc")).isEqualTo(3);
        assertThat(KnownSettings.distance("same", "same")).isZero();
    }
}
