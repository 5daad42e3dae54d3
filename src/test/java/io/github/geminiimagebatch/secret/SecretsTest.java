package io.github.geminiimagebatch.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

    private static final String API_KEY = "AIzaSyD-1234567890abcdefghijklmnopqrstu"; // AIza + 35

    @AfterEach
    void forget() {
        Secrets.clearForTests();
    }

    @Test
    void aRegisteredSecretIsMaskedEverywhereAndInItsUrlEncodedForm() {
        String secret = "s3cr3t/with+chars=";
        Secrets.register(secret);

        assertThat(Secrets.redact("token " + secret + " and again " + secret)).isEqualTo("token *** and again ***");
        assertThat(Secrets.redact("https://gw.example/x?auth=s3cr3t%2Fwith%2Bchars%3D&y=1")).isEqualTo("https://gw.example/x?auth=***&y=1");
    }

    @Test
    void aSecretContainingAnotherIsMaskedWhole() {
        Secrets.register("abcdef");
        Secrets.register("abcdef-longer-secret");

        assertThat(Secrets.redact("v=abcdef-longer-secret")).isEqualTo("v=***");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "abc", "12345", "     ", "  ab  "})
    void shortOrBlankSecretsAreIgnored(String tooShort) {
        Secrets.register(tooShort);
        Secrets.register(null);

        assertThat(Secrets.redact("a cat sat on 12345 mats, abc")).isEqualTo("a cat sat on 12345 mats, abc");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // Google API key anywhere
        "calling with AIzaSyD-1234567890abcdefghijklmnopqrstu now | calling with *** now",
        // key= and apiKey= query parameters
        "POST https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=abc123XYZ&alt=json | POST https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key=***&alt=json",
        "GET https://gw.example/v1?model=x&apiKey=zzz-999 | GET https://gw.example/v1?model=x&apiKey=***",
        "GET https://gw.example/v1?api_key=zzz-999#frag | GET https://gw.example/v1?api_key=***#frag",
        "GET https://oauth.example/t?access_token=tok.en-1 | GET https://oauth.example/t?access_token=***",
        // headers and config-style values
        "Authorization: Bearer ya29.a0AfH6SMB-xyz | Authorization: ***",
        "authorization=Basic dXNlcjpwYXNz | authorization=***",
        "headers={\"Authorization\":\"Bearer sk-or-abc\"} | headers={\"Authorization\":\"***\"}",
        "x-goog-api-key: plainKeyValue123 | x-goog-api-key: ***",
        "X-Goog-Api-Key=plainKeyValue123 | X-Goog-Api-Key=***",
        "imagegen.provider.gw.apiKey=gw-secret-1 | imagegen.provider.gw.apiKey=***",
        "{\"apiKey\": \"gw-secret-1\", \"n\": 1} | {\"apiKey\": \"***\", \"n\": 1}",
        "sent Bearer abc.def-123 to gateway | sent Bearer *** to gateway",
        // OAuth access tokens and OpenRouter keys
        "token ya29.c.b0AXv0zTP_abc-DEF.ghi expired | token *** expired",
        "using sk-or-v1-0123456789abcdef0123456789abcdef | using ***",
        // service-account JSON
        "{\"type\":\"service_account\",\"private_key_id\":\"abc\",\"private_key\":\"MIIEvQIBADANBg\\nkqhkiG9w0\\n\",\"client_email\":\"x@y\"} | {\"type\":\"service_account\",\"private_key_id\":\"abc\",\"private_key\":\"***\",\"client_email\":\"x@y\"}"})
    void credentialShapesAreMasked(String text, String redacted) {
        assertThat(Secrets.redact(text)).isEqualTo(redacted);
    }

    @Test
    void pemPrivateKeyBlocksAreMaskedAcrossLines() {
        String pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
        String rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";

        assertThat(Secrets.redact("key:\n" + pem + "\nloaded")).isEqualTo("key:\n-----BEGIN PRIVATE KEY-----***\nloaded");
        assertThat(Secrets.redact(rsa)).isEqualTo("-----BEGIN RSA PRIVATE KEY-----***");
        assertThat(Secrets.redact("cut: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN")).isEqualTo("cut: -----BEGIN PRIVATE KEY-----***");
    }

    @Test
    void aServiceAccountJsonWithEscapedNewlinesLosesItsKey() {
        String json = "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIB\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"sa@p.iam.gserviceaccount.com\"}";

        String redacted = Secrets.redact(json);

        assertThat(redacted).doesNotContain("MIIEvQIB").contains("\"client_email\": \"sa@p.iam.gserviceaccount.com\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a lighthouse at dusk, oil painting, 16:9",
        "Generate a key visual for the campaign: keys, locks and a monkey=happy",
        "item 0042 request key=3f9a0c1d2e rendered in 2K",
        "outbox/batch-1/0001.png written (1376x768, 1.2 MB)",
        "/home/user/prompts/authorization-forms.txt",
        "bearer of bad news arrives; the bearer authentication scheme",
        "Authorization failed for provider aistudio: check the apiKey setting",
        "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-image-preview:generateContent",
        "monkey=banana&donkey=apple",
        "AIza is a prefix but AIzaShort is not a key"})
    void ordinaryTextIsLeftAloneAndNotCopied(String text) {
        Secrets.register("unrelated-secret-value");

        assertThat(Secrets.redact(text)).isSameAs(text);
    }

    @Test
    void nullAndEmptyPassThrough() {
        assertThat(Secrets.redact(null)).isNull();
        assertThat(Secrets.redact("")).isEmpty();
    }

    @Test
    void registrationAndRedactionAreSafeFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String secret = "secret-" + thread + "-" + i;
                        Secrets.register(secret);
                        assertThat(Secrets.redact("value " + secret + " end")).isEqualTo("value *** end");
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Secrets.redact("secret-3-199 secret-0-0")).isEqualTo("*** ***");
    }

    @Test
    void theApiKeyConstantIsAShapeTheRuleRecognises() {
        assertThat(API_KEY).hasSize(39);
        assertThat(Secrets.redact(API_KEY)).isEqualTo("***");
    }
}
