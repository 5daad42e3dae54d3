package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseDecoderTest {

    @TempDir
    Path tempDir;

    private static final byte[] PNG = TestImages.png(64, 48);
    private static final byte[] JPEG = TestImages.jpeg(40, 30);

    @Test
    void textAndImageGiveTheImageWithItsMetadataAndUsage() throws IOException {
        String body = """
                {"candidates":[{"content":{"role":"model","parts":[
                    {"text":"Here is your image."},
                    {"inlineData":{"mimeType":"image/png","data":"%s"}}]},
                  "finishReason":"STOP","index":0,"safetyRatings":[{"category":"X","probability":"NEGLIGIBLE"}]}],
                 "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":1300,"totalTokenCount":1309,
                   "promptTokensDetails":[{"modality":"TEXT","tokenCount":9}],
                   "candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":1290},{"modality":"TEXT","tokenCount":10}]},
                 "modelVersion":"gemini-2.5-flash-image","responseId":"resp-123"}
                """.formatted(b64(PNG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.imageFile()).hasBinaryContent(PNG);
        assertThat(decoded.imageFile().getParent()).isEqualTo(tempDir);
        assertThat(decoded.mimeType()).isEqualTo("image/png");
        assertThat(decoded.bytes()).isEqualTo(PNG.length);
        assertThat(decoded.sha256()).isEqualTo(TestImages.sha256(PNG));
        assertThat(decoded.width()).isEqualTo(64);
        assertThat(decoded.height()).isEqualTo(48);
        assertThat(decoded.finishReason()).isEqualTo("STOP");
        assertThat(decoded.reasonClass()).isNull();
        assertThat(decoded.usage()).isEqualTo(new Usage(9, 1300, 1290, 1309));
        assertThat(decoded.modelVersion()).isEqualTo("gemini-2.5-flash-image");
        assertThat(decoded.responseId()).isEqualTo("resp-123");
        assertThat(decoded.errorCode()).isNull();
        assertThat(decoded.errorBody()).isNull();
        assertThat(filesIn(tempDir)).containsExactly(decoded.imageFile());
    }

    @Test
    void thoughtImagesAreSkippedAndTheLastFinalImageWinsWhateverTheFieldOrder() throws IOException {
        byte[] thoughtOne = TestImages.png(8, 8);
        byte[] thoughtTwo = TestImages.png(9, 9);
        String body = """
                {"candidates":[{"content":{"parts":[
                    {"text":"Planning the composition","thought":true},
                    {"thought":true,"inlineData":{"mimeType":"image/png","data":"%s"}},
                    {"inlineData":{"mimeType":"image/png","data":"%s"},"thought":true,"thoughtSignature":"c2ln"},
                    {"inlineData":{"mimeType":"image/jpeg","data":"%s"},"thoughtSignature":"c2ln"}]},
                  "finishReason":"STOP"}]}
                """.formatted(b64(thoughtOne), b64(thoughtTwo), b64(JPEG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.imageFile()).hasBinaryContent(JPEG);
        assertThat(decoded.mimeType()).isEqualTo("image/jpeg");
        assertThat(decoded.width()).isEqualTo(40);
        assertThat(decoded.height()).isEqualTo(30);
        assertThat(filesIn(tempDir)).as("thought images leave no temp file").containsExactly(decoded.imageFile());
    }

    @Test
    void twoFinalImagesKeepTheLastAndDeleteTheFirst() throws IOException {
        String body = """
                {"candidates":[{"content":{"parts":[
                    {"inlineData":{"mimeType":"image/png","data":"%s"}},
                    {"inlineData":{"mimeType":"image/jpeg","data":"%s"}}]},"finishReason":"STOP"}]}
                """.formatted(b64(PNG), b64(JPEG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.imageFile()).hasBinaryContent(JPEG);
        assertThat(filesIn(tempDir)).containsExactly(decoded.imageFile());
    }

    @Test
    void onlyThoughtImagesMeanNoImage() throws IOException {
        String body = """
                {"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"%s"},"thought":true}]},
                  "finishReason":"STOP"}]}
                """.formatted(b64(PNG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.reasonClass()).isEqualTo("no_image");
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void mimeTypeAfterDataAndAWrongDeclaredTypeAreResolvedFromTheMagicBytes() throws IOException {
        String body = """
                {"candidates":[{"content":{"parts":[{"inlineData":{"data":"%s","mimeType":"image/png"}}]},"finishReason":"STOP"}]}
                """.formatted(b64(JPEG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.mimeType()).isEqualTo("image/jpeg");
        assertThat(decoded.width()).isEqualTo(40);
    }

    @Test
    void unrecognisedImageBytesKeepTheDeclaredTypeAndHaveNoSize() throws IOException {
        byte[] avif = "....ftypavif-not-sniffed".getBytes(StandardCharsets.US_ASCII);
        String body = """
                {"candidates":[{"content":{"parts":[{"inlineData":{"data":"%s","mimeType":"image/avif"}}]}}]}
                """.formatted(b64(avif));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.mimeType()).isEqualTo("image/avif");
        assertThat(decoded.width()).isNull();
        assertThat(decoded.height()).isNull();
    }

    @Test
    void inlineDataThatIsNoImageIsIgnored() throws IOException {
        byte[] pdf = "%PDF-1.7 not an image".getBytes(StandardCharsets.US_ASCII);
        String body = """
                {"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"application/pdf","data":"%s"}},
                  {"inlineData":{"mimeType":"image/png","data":""}}]},"finishReason":"STOP"}]}
                """.formatted(b64(pdf));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.message()).isEqualTo("The model finished (STOP) without returning an image.");
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void unpaddedBase64IsAccepted() throws IOException {
        byte[] image = TestImages.png(3, 5);
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(image);
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + unpadded + "\"}}]}}]}";

        assertThat(gemini(body).imageFile()).hasBinaryContent(image);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY"})
    void aBlockedPromptIsBlockedForSafety(String blockReason) throws IOException {
        String body = """
                {"promptFeedback":{"blockReason":"%s","safetyRatings":[]},
                 "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-3-pro-image-preview"}
                """.formatted(blockReason);

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.BLOCKED);
        assertThat(decoded.reasonClass()).isEqualTo("safety");
        assertThat(decoded.finishReason()).isEqualTo(blockReason);
        assertThat(decoded.message()).contains(blockReason);
        assertThat(decoded.usage()).isEqualTo(new Usage(7, null, null, 7));
        assertThat(decoded.imageFile()).isNull();
    }

    @Test
    void blockReasonMessageIsKept() throws IOException {
        DecodedResponse decoded = gemini("""
                {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","blockReasonMessage":"The prompt could not be submitted."}}
                """);

        assertThat(decoded.message()).isEqualTo("The prompt could not be submitted.");
    }

    @ParameterizedTest
    @CsvSource({
        "IMAGE_SAFETY, BLOCKED, safety",
        "IMAGE_PROHIBITED_CONTENT, BLOCKED, safety",
        "PROHIBITED_CONTENT, BLOCKED, safety",
        "SAFETY, BLOCKED, safety",
        "SPII, BLOCKED, safety",
        "BLOCKLIST, BLOCKED, safety",
        "RECITATION, BLOCKED, recitation",
        "IMAGE_RECITATION, BLOCKED, recitation",
        "NO_IMAGE, NO_IMAGE, no_image",
        "IMAGE_OTHER, NO_IMAGE, no_image",
        "OTHER, NO_IMAGE, no_image",
        "MAX_TOKENS, NO_IMAGE, no_image",
        "MALFORMED_FUNCTION_CALL, NO_IMAGE, no_image",
        "STOP, NO_IMAGE, no_image"})
    void aFinishReasonWithoutImageIsClassified(String finishReason, Outcome outcome, String reasonClass) throws IOException {
        String body = """
                {"candidates":[{"content":{"parts":[]},"finishReason":"%s","finishMessage":"Unable to show the generated image."}],
                 "usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}
                """.formatted(finishReason);

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(outcome);
        assertThat(decoded.reasonClass()).isEqualTo(reasonClass);
        assertThat(decoded.finishReason()).isEqualTo(finishReason);
        assertThat(decoded.message()).isEqualTo("Unable to show the generated image.");
    }

    @Test
    void aFinishReasonWithoutMessageStillExplainsItself() throws IOException {
        DecodedResponse decoded = gemini("{\"candidates\":[{\"finishReason\":\"IMAGE_OTHER\"}]}");

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.message()).contains("IMAGE_OTHER").contains("without returning an image");
    }

    @Test
    void textOnlyStopIsNoImageWithTheModelsWordsAsMessage() throws IOException {
        DecodedResponse decoded = gemini("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"I can describe a lighthouse, "},{"text":"but here are words."}]},
                  "finishReason":"STOP"}]}
                """);

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.reasonClass()).isEqualTo("no_image");
        assertThat(decoded.finishReason()).isEqualTo("STOP");
        assertThat(decoded.message()).isEqualTo("The model answered with text instead of an image: I can describe a lighthouse, but here are words.");
    }

    @Test
    void noCandidatesAtAllIsNoImage() throws IOException {
        DecodedResponse decoded = gemini("{\"usageMetadata\":{\"promptTokenCount\":1}}");

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.message()).isEqualTo("The response held no image and no finish reason.");
    }

    @Test
    void anErrorEnvelopeIn200IsErrorInBodyWithTheRawErrorForTheClassifier() throws IOException {
        String body = """
                {"error":{"code":429,"message":"You exceeded your current quota. Please retry in 17.482913s.","status":"RESOURCE_EXHAUSTED",
                  "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}
                """;

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.ERROR_IN_BODY);
        assertThat(decoded.reasonClass()).isEqualTo("provider_error");
        assertThat(decoded.errorCode()).isEqualTo(429);
        assertThat(decoded.message()).isEqualTo("You exceeded your current quota. Please retry in 17.482913s.");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(decoded.errorBody())).isEqualTo(mapper.readTree(body));
    }

    @Test
    void anErrorWrappedInAnArrayIsAcceptedToo() throws IOException {
        DecodedResponse decoded = gemini("[{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}]");

        assertThat(decoded.outcome()).isEqualTo(Outcome.ERROR_IN_BODY);
        assertThat(decoded.errorCode()).isEqualTo(503);
        assertThat(decoded.errorBody()).contains("\"status\":\"UNAVAILABLE\"");
    }

    @Test
    void aStreamedArrayOfChunksTakesTheImageAndTheLastUsage() throws IOException {
        String body = """
                [{"candidates":[{"content":{"parts":[{"text":"Drawing"}]}}],"usageMetadata":{"promptTokenCount":4}},
                 {"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"%s"}}]},"finishReason":"STOP"}],
                  "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1290,"totalTokenCount":1294}}]
                """.formatted(b64(PNG));

        DecodedResponse decoded = gemini(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.finishReason()).isEqualTo("STOP");
        assertThat(decoded.usage()).isEqualTo(new Usage(4, 1290, null, 1294));
    }

    @Test
    void aBodyCutInsideTheImageThrowsAndLeavesNoTempFile() throws IOException {
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG);
        String cut = body.substring(0, body.length() - 10);

        assertThatThrownBy(() -> gemini(cut))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("ended before its JSON was complete");
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void aBodyCutAfterTheImageThrowsAndLeavesNoTempFile() throws IOException {
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}]},\"finishRea";

        assertThatThrownBy(() -> gemini(body)).isInstanceOf(MalformedResponseException.class);
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void malformedJsonThrowsWithoutQuotingTheBody() throws IOException {
        String key = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG)
                + "\"}}]}} " + key + " ]}";

        assertThatThrownBy(() -> gemini(body))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("not valid JSON")
                .hasMessageNotContaining(key)
                .hasNoCause();
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void invalidBase64ThrowsAndLeavesNoTempFile() throws IOException {
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBOR*w0KGgo\"}}]}}]}";

        assertThatThrownBy(() -> gemini(body))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("not valid base64");
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\"just a string\"", "<html><body>Bad gateway</body></html>", "{\"candidates\":[]} {}"})
    void bodiesThatAreNotOneJsonObjectAreMalformed(String body) {
        assertThatThrownBy(() -> gemini(body)).isInstanceOf(MalformedResponseException.class);
    }

    @Test
    void aConnectionFailureMidImagePropagatesAndLeavesNoTempFile() throws IOException {
        byte[] prefix = ("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG))
                .getBytes(StandardCharsets.US_ASCII);
        InputStream resetMidway = new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                if (position == prefix.length) {
                    throw new IOException("Connection reset");
                }
                return prefix[position++];
            }
        };

        assertThatThrownBy(() -> ResponseDecoder.gemini(resetMidway, tempDir))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(MalformedResponseException.class)
                .hasMessage("Connection reset");
        assertThat(filesIn(tempDir)).isEmpty();
    }

    @Test
    void theTempDirectoryIsCreatedWhenMissing() throws IOException {
        Path nested = tempDir.resolve("tmp/images");
        String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}]}}]}";

        DecodedResponse decoded = ResponseDecoder.gemini(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), nested);

        assertThat(decoded.imageFile().getParent()).isEqualTo(nested);
    }

    // ---- OpenRouter ----

    @Test
    void openRouterDataUrlImageIsStreamedWithUsage() throws IOException {
        String body = """
                {"id":"gen-123","provider":"Google","model":"google/gemini-2.5-flash-image","object":"chat.completion","created":1760000000,
                 "choices":[{"logprobs":null,"finish_reason":"stop","native_finish_reason":"STOP","index":0,
                   "message":{"role":"assistant","content":"","refusal":null,"reasoning":null,
                     "images":[{"type":"image_url","image_url":{"url":"data:image/png;base64,%s"},"index":0}]}}],
                 "usage":{"prompt_tokens":7,"completion_tokens":1299,"total_tokens":1306,
                   "completion_tokens_details":{"reasoning_tokens":0,"image_tokens":1290}}}
                """.formatted(b64(PNG));

        DecodedResponse decoded = openRouter(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.imageFile()).hasBinaryContent(PNG);
        assertThat(decoded.mimeType()).isEqualTo("image/png");
        assertThat(decoded.sha256()).isEqualTo(TestImages.sha256(PNG));
        assertThat(decoded.width()).isEqualTo(64);
        assertThat(decoded.finishReason()).isEqualTo("STOP");
        assertThat(decoded.usage()).isEqualTo(new Usage(7, 1299, 1290, 1306));
        assertThat(decoded.modelVersion()).isEqualTo("google/gemini-2.5-flash-image");
        assertThat(decoded.responseId()).isEqualTo("gen-123");
        assertThat(filesIn(tempDir)).containsExactly(decoded.imageFile());
    }

    @Test
    void openRouterDataUrlWithEscapedSlashesIsDecoded() throws IOException {
        String escaped = b64(JPEG).replace("/", "\\/");
        String body = "{\"choices\":[{\"message\":{\"images\":[{\"image_url\":{\"url\":\"data:image\\/jpeg;base64," + escaped + "\"}}]}}]}";

        DecodedResponse decoded = openRouter(body);

        assertThat(decoded.imageFile()).hasBinaryContent(JPEG);
        assertThat(decoded.mimeType()).isEqualTo("image/jpeg");
    }

    @Test
    void openRouterWithSeveralImagesKeepsTheLast() throws IOException {
        String body = """
                {"choices":[{"message":{"images":[{"image_url":{"url":"data:image/png;base64,%s"}},
                  {"image_url":{"url":"data:image/jpeg;base64,%s"}}]}}]}
                """.formatted(b64(PNG), b64(JPEG));

        DecodedResponse decoded = openRouter(body);

        assertThat(decoded.imageFile()).hasBinaryContent(JPEG);
        assertThat(filesIn(tempDir)).containsExactly(decoded.imageFile());
    }

    @Test
    void openRouterSafetyStopUsesGooglesNativeReasonAndKeepsTheText() throws IOException {
        DecodedResponse decoded = openRouter("""
                {"choices":[{"finish_reason":"content_filter","native_finish_reason":"IMAGE_SAFETY",
                  "message":{"role":"assistant","content":"I can't create that image."}}]}
                """);

        assertThat(decoded.outcome()).isEqualTo(Outcome.BLOCKED);
        assertThat(decoded.reasonClass()).isEqualTo("safety");
        assertThat(decoded.finishReason()).isEqualTo("IMAGE_SAFETY");
        assertThat(decoded.message()).isEqualTo("The model answered with text instead of an image: I can't create that image.");
    }

    @Test
    void openRouterContentFilterWithoutNativeReasonIsSafety() throws IOException {
        DecodedResponse decoded = openRouter("{\"choices\":[{\"finish_reason\":\"content_filter\",\"message\":{\"content\":null}}]}");

        assertThat(decoded.outcome()).isEqualTo(Outcome.BLOCKED);
        assertThat(decoded.reasonClass()).isEqualTo("safety");
    }

    @Test
    void openRouterImageAsPlainLinkIsNoImageWithAnExplanation() throws IOException {
        DecodedResponse decoded = openRouter("""
                {"choices":[{"finish_reason":"stop","message":{"images":[{"image_url":{"url":"https://example.com/i.png"}}]}}]}
                """);

        assertThat(decoded.outcome()).isEqualTo(Outcome.NO_IMAGE);
        assertThat(decoded.message()).contains("link instead of inline base64");
    }

    @Test
    void openRouterErrorIn200IsErrorInBody() throws IOException {
        String body = """
                {"error":{"code":429,"message":"Provider returned error",
                  "metadata":{"raw":"{\\"error\\":{\\"code\\":429,\\"status\\":\\"RESOURCE_EXHAUSTED\\"}}","provider_name":"Google AI Studio",
                    "retry_after_seconds":29,"headers":{"Retry-After":"29"}}},"user_id":"user_abc"}
                """;

        DecodedResponse decoded = openRouter(body);

        assertThat(decoded.outcome()).isEqualTo(Outcome.ERROR_IN_BODY);
        assertThat(decoded.errorCode()).isEqualTo(429);
        assertThat(decoded.message()).isEqualTo("Provider returned error");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(decoded.errorBody()).at("/error/metadata/retry_after_seconds").asInt()).isEqualTo(29);
        assertThat(mapper.readTree(decoded.errorBody()).at("/error/metadata/raw").asText()).contains("RESOURCE_EXHAUSTED");
    }

    @Test
    void openRouterErrorInsideAChoiceIsErrorInBody() throws IOException {
        DecodedResponse decoded = openRouter("""
                {"choices":[{"finish_reason":"error","error":{"code":502,"message":"Upstream error"},"message":{"content":""}}]}
                """);

        assertThat(decoded.outcome()).isEqualTo(Outcome.ERROR_IN_BODY);
        assertThat(decoded.errorCode()).isEqualTo(502);
    }

    @Test
    void openRouterTruncatedDataUrlThrowsAndLeavesNoTempFile() throws IOException {
        String body = "{\"choices\":[{\"message\":{\"images\":[{\"image_url\":{\"url\":\"data:image/png;base64," + b64(PNG).substring(0, 200);

        assertThatThrownBy(() -> openRouter(body)).isInstanceOf(MalformedResponseException.class);
        assertThat(filesIn(tempDir)).isEmpty();
    }

    private DecodedResponse gemini(String body) throws IOException {
        return ResponseDecoder.gemini(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), tempDir);
    }

    private DecodedResponse openRouter(String body) throws IOException {
        return ResponseDecoder.openRouter(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), tempDir);
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
