package io.github.geminiimagebatch.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.types.Blob;
import com.google.genai.types.Candidate;
import com.google.genai.types.Content;
import com.google.genai.types.FinishReason;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.MediaModality;
import com.google.genai.types.ModalityTokenCount;
import com.google.genai.types.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies serialised by Google's own google-genai SDK types, so the decoder is checked against the
 * SDK's idea of the wire format and not only against JSON written by the same hand as the decoder.
 */
class SdkShapeCompatibilityTest {

    @TempDir
    Path tempDir;

    @Test
    void aResponseSerialisedByTheSdkDecodesToItsImageAndUsage() throws IOException {
        byte[] thought = TestImages.png(8, 8);
        byte[] image = TestImages.jpeg(96, 64);
        GenerateContentResponse response = GenerateContentResponse.builder()
                .candidates(Candidate.builder()
                        .content(Content.builder().role("model").parts(
                                Part.builder().text("Sketching").thought(true).build(),
                                Part.builder().inlineData(Blob.builder().mimeType("image/png").data(thought)).thought(true).build(),
                                Part.fromText("Here is your image."),
                                Part.fromBytes(image, "image/jpeg")))
                        .finishReason(FinishReason.Known.STOP)
                        .build())
                .usageMetadata(GenerateContentResponseUsageMetadata.builder()
                        .promptTokenCount(9).candidatesTokenCount(1120).totalTokenCount(1129)
                        .candidatesTokensDetails(ModalityTokenCount.builder().modality(MediaModality.Known.IMAGE).tokenCount(1120)))
                .modelVersion("gemini-3-pro-image-preview")
                .responseId("sdk-response-1")
                .build();

        DecodedResponse decoded = ResponseDecoder.gemini(new ByteArrayInputStream(response.toJson().getBytes(StandardCharsets.UTF_8)), tempDir);

        assertThat(decoded.outcome()).isEqualTo(Outcome.IMAGE);
        assertThat(decoded.imageFile()).hasBinaryContent(image);
        assertThat(decoded.mimeType()).isEqualTo("image/jpeg");
        assertThat(decoded.width()).isEqualTo(96);
        assertThat(decoded.height()).isEqualTo(64);
        assertThat(decoded.finishReason()).isEqualTo("STOP");
        assertThat(decoded.usage()).isEqualTo(new Usage(9, 1120, 1120, 1129));
        assertThat(decoded.modelVersion()).isEqualTo("gemini-3-pro-image-preview");
        assertThat(decoded.responseId()).isEqualTo("sdk-response-1");
        assertThat(ResponseDecoderTest.filesIn(tempDir)).containsExactly(decoded.imageFile());
    }

    @Test
    void aSafetyStopSerialisedByTheSdkIsBlocked() throws IOException {
        GenerateContentResponse response = GenerateContentResponse.builder()
                .candidates(Candidate.builder().finishReason(FinishReason.Known.IMAGE_SAFETY).finishMessage("Unable to show the generated image.").build())
                .build();

        DecodedResponse decoded = ResponseDecoder.gemini(new ByteArrayInputStream(response.toJson().getBytes(StandardCharsets.UTF_8)), tempDir);

        assertThat(decoded.outcome()).isEqualTo(Outcome.BLOCKED);
        assertThat(decoded.reasonClass()).isEqualTo("safety");
        assertThat(decoded.message()).isEqualTo("Unable to show the generated image.");
    }

    @Test
    void theSdkReadsOurRequestContentsBack() throws IOException {
        Path reference = Files.write(tempDir.resolve("ref.png"), TestImages.png(5, 5));
        byte[] body = RequestBodies.gemini(new ImageRequest("gemini-3-pro-image-preview", "a lighthouse", "1:1", "1K", List.of(reference)));
        String contents = new ObjectMapper().readTree(body).at("/contents/0").toString();

        Content parsed = Content.fromJson(contents);

        assertThat(parsed.role()).hasValue("user");
        assertThat(parsed.parts().orElseThrow()).hasSize(2);
        assertThat(parsed.parts().orElseThrow().get(0).text()).hasValue("a lighthouse");
        Blob inline = parsed.parts().orElseThrow().get(1).inlineData().orElseThrow();
        assertThat(inline.mimeType()).hasValue("image/png");
        assertThat(inline.data().orElseThrow()).isEqualTo(Files.readAllBytes(reference));
    }
}
