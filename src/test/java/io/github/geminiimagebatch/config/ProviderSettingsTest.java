package io.github.geminiimagebatch.config;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderSettingsTest {

    private static ProviderSettings provider(String name, String... keyValues) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put("imagegen.provider." + name + "." + keyValues[i], keyValues[i + 1]);
        }
        return ProviderSettings.from(Settings.of(values), name);
    }

    @Test
    void vertexUsesTheGlobalEndpointForGlobalAndTheRegionalOneElsewhere() throws ConfigException {
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.VERTEX, "global")).isEqualTo("https://aiplatform.googleapis.com");
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.VERTEX, "us-central1"))
                .isEqualTo("https://us-central1-aiplatform.googleapis.com");
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.VERTEX, "europe-west4"))
                .isEqualTo("https://europe-west4-aiplatform.googleapis.com");
        assertThat(provider("vertex", "project", "p").baseUrl()).isEqualTo("https://aiplatform.googleapis.com");
        assertThat(provider("vertex", "project", "p").location()).isEqualTo("global");
        assertThat(provider("vertex-eu", "type", "vertex", "project", "p", "location", "europe-west4").baseUrl())
                .isEqualTo("https://europe-west4-aiplatform.googleapis.com");
        assertThat(provider("vertex", "project", "p", "location", "us-east5", "baseUrl", "https://vpc.example/").baseUrl())
                .isEqualTo("https://vpc.example");
        assertThatThrownBy(() -> provider("vertex", "project", "p", "location", "evil.example/x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("imagegen.provider.vertex.location");
    }

    @Test
    void otherTypesHaveTheirPublicEndpointOrNone() throws ConfigException {
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.AISTUDIO, "global")).isEqualTo("https://generativelanguage.googleapis.com");
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.OPENROUTER, "global")).isEqualTo("https://openrouter.ai");
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.GATEWAY, "global")).isNull();
        assertThat(ProviderSettings.defaultBaseUrl(ProviderType.AISTUDIO, "us-central1"))
                .as("location means nothing to AI Studio").isEqualTo("https://generativelanguage.googleapis.com");
        assertThatThrownBy(() -> provider("corp", "type", "gateway", "apiKey", "k"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("imagegen.provider.corp.baseUrl");
    }

    @Test
    void vertexExpressModeIsAnApiKeyWithoutProjectOrCredentials() throws ConfigException {
        assertThat(provider("vertex", "apiKey", "k").vertexExpressMode()).isTrue();
        assertThat(provider("vertex", "apiKey", "k", "project", "p").vertexExpressMode()).isFalse();
        assertThat(provider("vertex", "project", "p").vertexExpressMode()).isFalse();
        assertThat(provider("aistudio", "apiKey", "k").vertexExpressMode()).isFalse();
        assertThatThrownBy(() -> provider("vertex")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("imagegen.provider.vertex.project").hasMessageContaining("express mode");
    }

    @Test
    void wireModelIsTheOverrideElseTheItemsModelWithGooglePrefixOnOpenRouter() throws ConfigException {
        assertThat(provider("aistudio", "apiKey", "k").wireModel("gemini-3-pro-image")).isEqualTo("gemini-3-pro-image");
        assertThat(provider("openrouter", "apiKey", "k").wireModel("gemini-3-pro-image")).isEqualTo("google/gemini-3-pro-image");
        assertThat(provider("openrouter", "apiKey", "k").wireModel("other/model")).isEqualTo("other/model");
        assertThat(provider("gw", "type", "gateway", "baseUrl", "https://g", "model", "team-banana").wireModel("gemini-3-pro-image"))
                .isEqualTo("team-banana");
    }

    @Test
    void theRouteTemplateIsTheTypesUnlessNamedAndParametersComeFromParamSettings() throws ConfigException {
        assertThat(provider("aistudio", "apiKey", "k").routeTemplate()).isEqualTo("gemini-api");
        assertThat(provider("simulator", "baseUrl", "http://127.0.0.1:1").routeTemplate()).isEqualTo("gemini-api");
        assertThat(provider("vertex", "project", "p").routeTemplate()).isEqualTo("vertex-ai");
        assertThat(provider("openrouter", "apiKey", "k").routeTemplate()).isEqualTo("openrouter");

        ProviderSettings custom = provider("tagged", "type", "aistudio", "apiKey", "k", "routeTemplate", "my-gateway",
                "param.tag", " team-42 ", "param.region", "eu");
        assertThat(custom.routeTemplate()).isEqualTo("my-gateway");
        assertThat(custom.templateParameters()).containsExactlyInAnyOrderEntriesOf(Map.of("tag", "team-42", "region", "eu"));
        assertThat(provider("aistudio", "apiKey", "k").templateParameters()).isEmpty();
    }

    @Test
    void theEnvironmentCanNameARouteTemplateAndItsParameters() throws ConfigException {
        Settings settings = Settings.load(Map.of(), Map.of(
                "IMAGEGEN_PROVIDER_CORP_TYPE", "gateway",
                "IMAGEGEN_PROVIDER_CORP_BASEURL", "https://gw.example",
                "IMAGEGEN_PROVIDER_CORP_ROUTETEMPLATE", "my-gateway",
                "IMAGEGEN_PROVIDER_CORP_PARAM_TAG", "team-42"), null, null);
        ProviderSettings corp = ProviderSettings.from(settings, "corp");
        assertThat(corp.routeTemplate()).isEqualTo("my-gateway");
        assertThat(corp.templateParameters()).containsExactlyEntriesOf(Map.of("tag", "team-42"));
        assertThat(corp.baseUrl()).isEqualTo("https://gw.example");
    }

    @Test
    void overflowIsOffUnlessSaid() throws ConfigException {
        assertThat(provider("aistudio", "apiKey", "k").overflow()).isFalse();
        assertThat(provider("openrouter", "apiKey", "k", "overflow", "true").overflow()).isTrue();
        assertThatThrownBy(() -> provider("openrouter", "apiKey", "k", "overflow", "sometimes"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("imagegen.provider.openrouter.overflow");
    }

    @Test
    void templateSettingsThatCannotWorkAreRefusedWithTheSettingName() {
        assertThatThrownBy(() -> provider("a", "type", "aistudio", "apiKey", "k", "routeTemplate", "has space"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("imagegen.provider.a.routeTemplate");
        assertThatThrownBy(() -> provider("a", "type", "aistudio", "apiKey", "k", "param.baseUrl", "http://x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("imagegen.provider.a.param.baseUrl")
                .hasMessageContaining("comes from the provider's own settings");
        assertThatThrownBy(() -> provider("a", "type", "aistudio", "apiKey", "k", "param.bad-name", "x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("param.bad-name");
    }
}
