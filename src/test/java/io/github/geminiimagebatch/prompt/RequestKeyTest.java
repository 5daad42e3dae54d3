package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestKeyTest {

    private static final byte[] RED = {1, 2, 3};
    private static final byte[] BLUE = {4, 5, 6};

    private static String key(String model, String prompt, String aspectRatio, String imageSize, byte[]... images) {
        return RequestKey.of(model, prompt, aspectRatio, imageSize, List.of(images));
    }

    @Test
    void sameInputsGiveTheSameKnownKey() {
        String first = key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", RED);
        String second = key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", RED.clone());
        assertThat(first).isEqualTo(second).matches("[0-9a-f]{64}");
    }

    @Test
    void keyFollowsTheDocumentedEncoding() {
        // Expected values computed outside Java (Python hashlib + struct) from the encoding in the RequestKey
        // javadoc. If this fails, existing outputs would no longer be recognised: bump the version tag instead.
        assertThat(key("m", "p", "1:1", "1K"))
                .isEqualTo("f4f5b317176590ab811c0e217708a3e16d12c84b50089b1a222c68cba42b3d30");
        assertThat(key(null, "a red fox", "16:9", "2K", RED, new byte[0]))
                .isEqualTo("4578c1d287ddee4d732b899f31e777f1edcd5344e7992b017ae203374c1d03e7");
    }

    @Test
    void everyDeterminingFieldChangesTheKey() {
        Set<String> keys = new HashSet<>();
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", RED));
        keys.add(key("gemini-3-pro-image", "a red fox", "16:9", "2K", RED));
        keys.add(key("gemini-3.1-flash-image", "a red fox!", "16:9", "2K", RED));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "9:16", "2K", RED));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "4K", RED));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", BLUE));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K"));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", RED, BLUE));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", BLUE, RED));
        keys.add(key("gemini-3.1-flash-image", "a red fox", "16:9", "2K", RED, RED));
        assertThat(keys).hasSize(10);
    }

    @Test
    void oneFlippedBitInAReferenceImageChangesTheKey() {
        byte[] image = new byte[100_000];
        new Random(42).nextBytes(image);
        byte[] flipped = image.clone();
        flipped[77_777] ^= 1;
        assertThat(key("m", "p", "1:1", "1K", image)).isNotEqualTo(key("m", "p", "1:1", "1K", flipped));
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        assertThat(key("ab", "c", "1:1", "1K")).isNotEqualTo(key("a", "bc", "1:1", "1K"));
        assertThat(key("m", "p", "1:1", "1K", new byte[] {1, 2}, new byte[] {3}))
                .isNotEqualTo(key("m", "p", "1:1", "1K", new byte[] {1}, new byte[] {2, 3}));
        assertThat(key("m", "p", "1:1", "1K", new byte[0])).isNotEqualTo(key("m", "p", "1:1", "1K"));
        assertThat(key("m", "p", null, "1K")).isNotEqualTo(key("m", "p", "1K", null));
    }

    @Test
    void nullAndEmptyAreDifferentRequests() {
        assertThat(key("m", "p", null, "1K")).isNotEqualTo(key("m", "p", "", "1K"));
        assertThat(key(null, "p", "1:1", "1K")).isNotEqualTo(key("", "p", "1:1", "1K"));
    }

    @Test
    void unicodeIsEncodedExactly() {
        assertThat(key("m", "caf\u00e9", "1:1", "1K")).isNotEqualTo(key("m", "cafe\u0301", "1:1", "1K"));
        assertThat(key("m", "🦊", "1:1", "1K")).isEqualTo(key("m", "\ud83e\udd8a", "1:1", "1K"));
    }

    @Test
    void unpairedSurrogatesAreRefusedRatherThanMergedIntoOneKey() {
        assertThatThrownBy(() -> key("m", "x\ud800", "1:1", "1K")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filesGiveTheSameKeyAsTheirBytes(@TempDir Path dir) throws IOException {
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Path red = Files.write(dir.resolve("red.png"), RED);
        Path large = Files.write(dir.resolve("large.png"), big);
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertThat(RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(red, large, empty)))
                .isEqualTo(RequestKey.of("m", "p", "1:1", "1K", List.of(RED, big, new byte[0])));
        assertThat(RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(large, red)))
                .isEqualTo(RequestKey.of("m", "p", "1:1", "1K", List.of(big, RED)))
                .isNotEqualTo(RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(red, large)));
        assertThat(RequestKey.ofFiles("m", "p", "1:1", "1K", new ArrayList<>()))
                .isEqualTo(RequestKey.of("m", "p", "1:1", "1K", List.of()));
    }

    @Test
    void referenceImagesCountByTheirBytesNotTheirPathOrTime(@TempDir Path dir) throws IOException {
        byte[] picture = new byte[5_000];
        new Random(3).nextBytes(picture);
        Path original = Files.write(dir.resolve("ref.png"), picture);
        String before = RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(original));

        Path copy = Files.write(Files.createDirectories(dir.resolve("elsewhere")).resolve("other-name.png"), picture);
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(0));
        assertThat(RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(copy))).as("moved or renamed: same request")
                .isEqualTo(before);

        byte[] edited = picture.clone();
        edited[4_999] ^= (byte) 0x80;
        Files.write(original, edited);
        assertThat(RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(original))).as("same path, one bit changed")
                .isNotEqualTo(before);
    }

    @Test
    void aMissingFileIsAnIoError(@TempDir Path dir) {
        assertThatThrownBy(() -> RequestKey.ofFiles("m", "p", "1:1", "1K", List.of(dir.resolve("gone.png"))))
                .isInstanceOf(IOException.class);
    }

    @Test
    void promptTextIsHashedAsUtf8() {
        String prompt = "ü";
        assertThat(prompt.getBytes(StandardCharsets.UTF_8)).hasSize(2);
        assertThat(key("m", prompt, "1:1", "1K")).isNotEqualTo(key("m", "\u00fc\u0000", "1:1", "1K"));
    }
}
