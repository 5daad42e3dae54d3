package io.github.geminiimagebatch.output;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    private static Settings on(String... pairs) {
        Map<String, String> values = new HashMap<>();
        values.put("imagegen.output.s3.enabled", "true");
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return Settings.of(values);
    }

    @Test
    void switchedOffMeansNoSettingsEvenWithoutABucket() throws ConfigException {
        assertThat(S3Settings.from(Settings.of(Map.of("imagegen.output.s3.enabled", "false")))).isEmpty();
        assertThat(S3Settings.from(Settings.of(Map.of()))).isEmpty();
    }

    @Test
    void defaultsAreAwsWithTheDefaultCredentialChain() throws ConfigException {
        S3Settings s = S3Settings.from(on("imagegen.output.s3.bucket", "my-images")).orElseThrow();
        assertThat(s.bucket()).isEqualTo("my-images");
        assertThat(s.prefix()).isEmpty();
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.accessKey()).isEmpty();
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.checksumWhenRequired()).isFalse();
        assertThat(s.partSizeBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(s.retryFor()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.key("b/0001.png")).isEqualTo("b/0001.png");
    }

    @Test
    void everySettingIsRead() throws ConfigException {
        S3Settings s = S3Settings.from(on("imagegen.output.s3.bucket", "img",
                "imagegen.output.s3.prefix", "/gemini/runs",
                "imagegen.output.s3.endpoint", "http://127.0.0.1:9000/",
                "imagegen.output.s3.region", "eu-central-1",
                "imagegen.output.s3.accessKey", "AK",
                "imagegen.output.s3.secretKey", "SK",
                "imagegen.output.s3.pathStyle", "true",
                "imagegen.output.s3.checksum", "WHEN_REQUIRED",
                "imagegen.output.s3.partSize", "8388608",
                "imagegen.output.retryFor", "2m")).orElseThrow();
        assertThat(s.prefix()).isEqualTo("gemini/runs/");
        assertThat(s.key("b/0001.png")).isEqualTo("gemini/runs/b/0001.png");
        assertThat(s.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(s.region()).isEqualTo("eu-central-1");
        assertThat(s.accessKey()).contains("AK");
        assertThat(s.secretKey()).contains("SK");
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.checksumWhenRequired()).isTrue();
        assertThat(s.partSizeBytes()).isEqualTo(8_388_608L);
        assertThat(s.retryFor()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.toString()).doesNotContain("SK").doesNotContain("AK");
    }

    @Test
    void aMissingBucketSaysWhichSettingToSet() {
        assertThatThrownBy(() -> S3Settings.from(on()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("imagegen.output.s3.bucket is not set");
    }

    @Test
    void badValuesAreNamedWithWhatToWriteInstead() {
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "My_Bucket")))
                .hasMessageContaining("'My_Bucket', which is not a valid bucket name");
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "img", "imagegen.output.s3.checksum", "crc32")))
                .hasMessageContaining("checksum is 'crc32'; write when_supported (AWS) or when_required");
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "img", "imagegen.output.s3.endpoint", "minio:9000")))
                .hasMessageContaining("endpoint is 'minio:9000'");
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "img", "imagegen.output.s3.partSize", "1000")))
                .hasMessageContaining("partSize is 1000; it must be at least 5242880");
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "img", "imagegen.output.retryFor", "soon")))
                .hasMessageContaining("imagegen.output.retryFor is 'soon'");
    }

    @Test
    void anAccessKeyWithoutItsSecretIsRefusedWithoutShowingEither() {
        assertThatThrownBy(() -> S3Settings.from(on("imagegen.output.s3.bucket", "img", "imagegen.output.s3.accessKey", "AKIAEXAMPLE")))
                .hasMessageContaining("Only one of imagegen.output.s3.accessKey and imagegen.output.s3.secretKey is set")
                .hasMessageNotContaining("AKIAEXAMPLE");
    }
}
