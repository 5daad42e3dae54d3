package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptFileReaderTest {

    @TempDir
    Path inbox;

    private final PromptFileReader reader = new PromptFileReader(PromptLimits.defaults());

    private Path write(String name, String content) throws IOException {
        return Files.writeString(inbox.resolve(name), content, StandardCharsets.UTF_8);
    }

    private Path writeBytes(String name, byte[] content) throws IOException {
        return Files.write(inbox.resolve(name), content);
    }

    private PromptBatch read(String name, String content) throws Exception {
        return reader.read(write(name, content), inbox);
    }

    private String rejection(Path file) {
        return rejection(reader, file);
    }

    private String rejection(PromptFileReader anyReader, Path file) {
        try {
            anyReader.read(file, inbox);
        } catch (BatchRejectedException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(file + " was expected to be rejected");
    }

    private static PromptItem only(PromptBatch batch) {
        assertThat(batch.items()).hasSize(1);
        return batch.items().get(0);
    }

    @Nested
    class Txt {

        @Test
        void onePromptPerLineWithLineNumberIdsSkippingBlanksAndComments() throws Exception {
            PromptBatch batch = read("cats.txt", "# my cats\n\na cat on a sofa\n   \n  a cat in the snow  \n#x\n\tlast cat\n");
            assertThat(batch.name()).isEqualTo("cats");
            assertThat(batch.source()).isEqualTo(inbox.resolve("cats.txt"));
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::line, PromptItem::prompt, PromptItem::problem)
                    .containsExactly(
                            tuple("0003", 3, "a cat on a sofa", null),
                            tuple("0005", 5, "a cat in the snow", null),
                            tuple("0007", 7, "last cat", null));
            assertThat(batch.items()).allSatisfy(item -> {
                assertThat(item.aspectRatio()).isNull();
                assertThat(item.imageSize()).isNull();
                assertThat(item.model()).isNull();
                assertThat(item.referenceImages()).isEmpty();
            });
        }

        @Test
        void bomCrlfAndLoneCrAreLineEndingsAndDoNotShiftLineNumbers() throws Exception {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] body = "first\r\nsecond\rthird\n\r\nfifth".getBytes(StandardCharsets.UTF_8);
            byte[] content = new byte[bom.length + body.length];
            System.arraycopy(bom, 0, content, 0, bom.length);
            System.arraycopy(body, 0, content, bom.length, body.length);
            PromptBatch batch = reader.read(writeBytes("bom.txt", content), inbox);
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::prompt).containsExactly(
                    tuple("0001", "first"), tuple("0002", "second"), tuple("0003", "third"), tuple("0005", "fifth"));
        }

        @Test
        void aControlCharacterFailsOnlyItsLine() throws Exception {
            PromptBatch batch = read("ctl.txt", "fine\nbell\u0007here\nalso fine\ttabbed\n");
            assertThat(batch.validItems()).extracting(PromptItem::prompt).containsExactly("fine", "also fine\ttabbed");
            assertThat(batch.invalidItems()).singleElement().satisfies(item -> {
                assertThat(item.id()).isEqualTo("0002");
                assertThat(item.problem()).isEqualTo("line 2: 'prompt' contains the invisible control character U+0007 "
                        + "at character 5; remove it");
            });
        }

        @Test
        void aPromptOverTheLimitFailsOnlyItsLine() throws Exception {
            PromptFileReader small = new PromptFileReader(new PromptLimits(1_000, 10, 5, 1, 100));
            PromptBatch batch = small.read(write("long.txt", "12345\n123456\n🦊🦊🦊🦊🦊\n"), inbox);
            assertThat(batch.items()).extracting(PromptItem::valid).containsExactly(true, false, true);
            assertThat(batch.items().get(1).problem())
                    .isEqualTo("line 2: 'prompt' is 6 characters long, over the limit of 5; shorten it");
        }
    }

    @Nested
    class JsonLines {

        @Test
        void everyFieldIsReadAndReferenceImagesResolveInsideTheInbox() throws Exception {
            Files.createDirectories(inbox.resolve("refs"));
            Path cat = Files.write(inbox.resolve("refs/cat.png"), new byte[] {1, 2, 3});
            Path dog = Files.write(inbox.resolve("refs/dog.JPG"), new byte[] {4});
            PromptBatch batch = read("shots.jsonl", """
                    {"id":"hero","prompt":"  a hero shot  ","aspectRatio":"16:9","imageSize":"2K","model":"gemini-3-pro-image","referenceImages":["refs/cat.png","refs\\\\dog.JPG"],"note":{"any":["thing"]}}

                    {"prompt":"multi\\r\\nline","aspectRatio":null,"imageSize":"","referenceImages":null}
                    """);
            assertThat(batch.items()).hasSize(2);
            PromptItem hero = batch.items().get(0);
            assertThat(hero.problem()).isNull();
            assertThat(hero.id()).isEqualTo("hero");
            assertThat(hero.line()).isEqualTo(1);
            assertThat(hero.prompt()).isEqualTo("a hero shot");
            assertThat(hero.aspectRatio()).isEqualTo("16:9");
            assertThat(hero.imageSize()).isEqualTo("2K");
            assertThat(hero.model()).isEqualTo("gemini-3-pro-image");
            assertThat(hero.referenceImages()).containsExactly(cat.toRealPath(), dog.toRealPath());
            PromptItem second = batch.items().get(1);
            assertThat(second.valid()).isTrue();
            assertThat(second.id()).isEqualTo("0003");
            assertThat(second.prompt()).as("line breaks normalised so the request key is OS-independent")
                    .isEqualTo("multi\nline");
            assertThat(second.aspectRatio()).isNull();
            assertThat(second.imageSize()).as("blank means not set").isNull();
        }

        @Test
        void aBrokenLineFailsOnlyThatLine() throws Exception {
            PromptBatch batch = read("mixed.jsonl", """
                    {"prompt":"one"}
                    {"prompt": "two",
                    ["not","an","object"]
                    {"prompt":"four"} {"prompt":"five"}
                    {"id":"six"}
                    {"prompt":"   "}
                    {"prompt":42}
                    {"prompt":"eight"}
                    """);
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::valid).containsExactly(
                    tuple("0001", true), tuple("0002", false), tuple("0003", false), tuple("0004", false),
                    tuple("six", false), tuple("0006", false), tuple("0007", false), tuple("0008", true));
            assertThat(batch.items()).extracting(PromptItem::problem).containsExactly(
                    null,
                    "line 2: this is not valid JSON at column 18: Unexpected end-of-input within/between Object entries;"
                            + " fix the line",
                    "line 3: this is not a JSON object; write one object per line like {\"prompt\": \"a red fox in snow\"}",
                    "line 4: there is more after the closing '}'; put each object on a line of its own",
                    "line 5: 'prompt' is missing; every item needs a non-blank \"prompt\"",
                    "line 6: 'prompt' is blank; write the prompt text or remove this item",
                    "line 7: 'prompt' must be a string in double quotes, not a number",
                    null);
        }

        @Test
        void wrongTypesAndValuesNameTheField() throws Exception {
            PromptBatch batch = read("types.jsonl", """
                    {"prompt":"a","aspectRatio":1.5}
                    {"prompt":"b","imageSize":"1k"}
                    {"prompt":"c","imageSize":"1024"}
                    {"prompt":"d","aspectRatio":"16x9"}
                    {"prompt":"e","model":"../../v1/evil?key=x"}
                    {"prompt":"f","referenceImages":"one.png"}
                    {"prompt":"g","referenceImages":[1]}
                    {"prompt":"h","id":7}
                    {"prompt":"i","aspect_ratio":"16:9"}
                    {"prompt":"j","prompt":"k"}
                    {"prompt":"l","id":["x"]}
                    {"prompt":"m","imageSize":"2K","aspectRatio":"1:8","model":"gemini-3.1-flash-image"}
                    """);
            assertThat(batch.items()).extracting(PromptItem::problem).containsExactly(
                    "line 1: 'aspectRatio' must be a string in double quotes, not a number",
                    "line 2: 'imageSize' '1k' must be written '1K' with an upper-case K; the API rejects the lower-case spelling",
                    "line 3: 'imageSize' '1024' is not a known image size; use one of 512, 1K, 2K, 4K",
                    "line 4: 'aspectRatio' '16x9' is not a known aspect ratio; use one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, "
                            + "5:4, 9:16, 16:9, 21:9, 1:4, 4:1, 1:8, 8:1",
                    "line 5: 'model' '../../v1/evil?key=x' is not a model name; use a Gemini model name such as "
                            + "gemini-3.1-flash-image (letters, digits, '.', '_', '-')",
                    "line 6: 'referenceImages' must be an array of paths like [\"images/cat.png\"], not a string",
                    "line 7: 'referenceImages' must contain only paths in double quotes, not a number",
                    "line 8: 'id' must be a string in double quotes, not a number",
                    "line 9: field 'aspect_ratio' is not recognised; write it as 'aspectRatio'",
                    "line 10: field 'prompt' appears twice; keep only one",
                    "line 11: 'id' must be a string in double quotes, not an array",
                    null);
        }

        @Test
        void duplicateIdsFailTheLaterItemWhichStillGetsAUniqueId() throws Exception {
            PromptBatch batch = read("dups.jsonl", """
                    {"id":"cat","prompt":"a"}
                    {"id":"0005","prompt":"b"}
                    {"id":"cat","prompt":"c"}
                    {"id":"CAT","prompt":"d"}
                    {"prompt":"e"}
                    {"id":"0004","prompt":"f"}
                    """);
            assertThat(batch.items()).extracting(PromptItem::id).containsExactly("cat", "0005", "0003", "0004", "0005-2", "0006");
            assertThat(batch.items()).extracting(PromptItem::problem).containsExactly(
                    null,
                    null,
                    "line 3: duplicate id 'cat', first used on line 1; give each item its own id",
                    "line 4: id 'CAT' differs from the id 'cat' of line 1 only in upper/lower case, which is the same "
                            + "file name on Windows and macOS; give each item its own id",
                    "line 5: its line-number id '0005' is already the id of line 2; give this item an explicit id",
                    "line 6: duplicate id '0004', first used on line 4; give each item its own id");
        }

        @ParameterizedTest
        @ValueSource(strings = {"../escape", "/etc/passwd", "a\\\\b", "CON", "nul.txt", ".", "..", ".hidden", "a b",
                "report", "x\\u0000y"})
        void unusableIdsFailTheItemAndFallBackToTheLineId(String id) throws Exception {
            PromptItem item = only(read("ids.jsonl", "{\"id\":\"" + id + "\",\"prompt\":\"p\"}\n"));
            assertThat(item.id()).isEqualTo("0001");
            assertThat(item.problem()).startsWith("line 1: id '").contains("cannot be used as a file name");
        }

        @Test
        void controlCharactersAndBrokenSurrogatesFailTheItem() throws Exception {
            PromptBatch batch = read("ctl.jsonl", """
                    {"prompt":"tab\\tand\\nnewline are fine"}
                    {"prompt":"nul\\u0000"}
                    {"prompt":"escape\\u001b[31m"}
                    {"prompt":"half \\ud83e fox"}
                    {"prompt":"whole \\ud83e\\udd8a fox"}
                    {"prompt":"c1 \\u0085"}
                    """);
            assertThat(batch.items()).extracting(PromptItem::problem).containsExactly(
                    null,
                    "line 2: 'prompt' contains the invisible control character U+0000 at character 4; remove it",
                    "line 3: 'prompt' contains the invisible control character U+001B at character 7; remove it",
                    "line 4: 'prompt' contains a broken character (an unpaired surrogate such as \\ud800) at "
                            + "character 6; fix the text",
                    null,
                    "line 6: 'prompt' contains the invisible control character U+0085 at character 4; remove it");
            assertThat(batch.items().get(4).prompt()).isEqualTo("whole 🦊 fox");
        }

        @Test
        void deepNestingFailsOnlyItsLine() throws Exception {
            String deep = "{\"prompt\":\"x\",\"n\":" + "[".repeat(500) + "]".repeat(500) + "}";
            PromptBatch batch = read("deep.jsonl", deep + "\n{\"prompt\":\"ok\"}\n");
            assertThat(batch.items().get(0).problem()).isEqualTo("line 1: this is not valid JSON (it is nested more "
                    + "than 64 levels deep or has an oversized value); fix the line");
            assertThat(batch.items().get(1).valid()).isTrue();
        }

        @Test
        void aFiveMegabyteLineFailsOnlyItself() throws Exception {
            String huge = "{\"prompt\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
            PromptBatch batch = read("huge.jsonl", "{\"prompt\":\"before\"}\n" + huge + "\n{\"prompt\":\"after\"}\n");
            assertThat(batch.items()).extracting(PromptItem::valid).containsExactly(true, false, true);
            assertThat(batch.items().get(1).problem())
                    .isEqualTo("line 2: 'prompt' is 5,242,880 characters long, over the limit of 20,000; shorten it");
        }

        @Test
        void aBatchFieldMakesTheFileARetryOfThatBatchAndALineNamingAnotherFails() throws Exception {
            PromptBatch batch = read("failed.jsonl", """
                    {"batch":"mix","id":"0004","prompt":"a cow"}
                    {"batch":"other","id":"0005","prompt":"an elk"}
                    {"id":"0006","prompt":"a yak"}
                    {"batch":"../x","id":"0007","prompt":"a gnu"}
                    {"batch":"mix","id":"0008","prompt":"a hen"}
                    """);
            assertThat(batch.name()).isEqualTo("failed");
            assertThat(batch.retryOf()).isEqualTo("mix");
            assertThat(batch.items()).extracting(PromptItem::batch).containsExactly("mix", "other", null, "../x", "mix");
            assertThat(batch.items()).extracting(PromptItem::problem).containsExactly(
                    null,
                    "line 2: this line names batch 'other', but the file retries batch 'mix'; put each batch's lines in"
                            + " a file of its own (a line without 'batch' makes a new batch)",
                    "line 3: this line names no batch, but the file retries batch 'mix'; put each batch's lines in"
                            + " a file of its own (a line without 'batch' makes a new batch)",
                    "line 4: 'batch' '../x' is not the name of a batch folder; it is written by the product in"
                            + " failed.jsonl, so leave it as it was or remove it to make a batch of its own",
                    null);
            assertThat(read("plain.jsonl", "{\"prompt\":\"a fox\"}\n").retryOf()).isNull();
        }

        @Test
        void hashLinesAreCommentsLikeInTxt() throws Exception {
            PromptBatch batch = read("comments.jsonl", "# for client X\n  #{\"prompt\":\"disabled\"}\n{\"prompt\":\"ok\"}\n");
            assertThat(only(batch).id()).isEqualTo("0003");
        }
    }

    @Nested
    class ReferenceImages {

        private Path outside;

        @BeforeEach
        void images(@TempDir Path elsewhere) throws IOException {
            Files.createDirectories(inbox.resolve("img"));
            Files.write(inbox.resolve("img/ok.png"), new byte[10]);
            Files.write(inbox.resolve("img/big.webp"), new byte[101]);
            Files.write(inbox.resolve("img/notes.txt"), new byte[1]);
            outside = Files.write(elsewhere.resolve("secret.png"), new byte[1]);
        }

        private String problemFor(String references) throws Exception {
            PromptFileReader small = new PromptFileReader(new PromptLimits(10_000, 100, 100, 2, 100));
            return only(small.read(write("refs.jsonl", "{\"prompt\":\"p\",\"referenceImages\":" + references + "}\n"),
                    inbox)).problem();
        }

        @Test
        void pathsAreCheckedForPlaceTypeCountAndSize() throws Exception {
            assertThat(problemFor("[\"img/ok.png\",\"./img/../img/ok.png\"]")).isNull();
            assertThat(problemFor("[\"img/missing.png\"]"))
                    .isEqualTo("line 1: reference image 'img/missing.png' does not exist; paths are relative to the prompt file");
            assertThat(problemFor("[\"../x.png\"]"))
                    .isEqualTo("line 1: reference image '../x.png' is outside the inbox; copy the image into the inbox");
            assertThat(problemFor("[\"" + outside.toString().replace("\\", "\\\\") + "\"]"))
                    .endsWith("is an absolute path; write it relative to the prompt file");
            assertThat(problemFor("[\"C:\\\\x.png\"]")).endsWith("is an absolute path; write it relative to the prompt file");
            assertThat(problemFor("[\"img\"]")).isEqualTo("line 1: reference image 'img' is not a file");
            assertThat(problemFor("[\"img/notes.txt\"]")).endsWith("is not a .png, .jpg, .jpeg, .webp, .heic or .heif file");
            assertThat(problemFor("[\"img/big.webp\"]"))
                    .isEqualTo("line 1: reference image 'img/big.webp' is 101 bytes, over the limit of 100; use a smaller image");
            assertThat(problemFor("[\"img/ok.png\",\"img/ok.png\",\"img/ok.png\"]"))
                    .isEqualTo("line 1: it has 3 reference images, over the limit of 2; use fewer");
            assertThat(problemFor("[\" \"]")).isEqualTo("line 1: 'referenceImages' contains an empty path; remove it");
        }

        @Test
        void aSymlinkLeadingOutOfTheInboxIsRefused() throws Exception {
            Files.createSymbolicLink(inbox.resolve("img/link.png"), outside);
            Files.createSymbolicLink(inbox.resolve("img/inner.png"), inbox.resolve("img/ok.png"));
            assertThat(problemFor("[\"img/link.png\"]"))
                    .isEqualTo("line 1: reference image 'img/link.png' is outside the inbox; copy the image into the inbox");
            assertThat(problemFor("[\"img/inner.png\"]")).isNull();
        }

        @Test
        void referencesAreRelativeToThePromptFilesFolder() throws Exception {
            Path sub = Files.createDirectories(inbox.resolve("sub"));
            Files.write(sub.resolve("local.png"), new byte[1]);
            Path file = Files.writeString(sub.resolve("p.jsonl"),
                    "{\"prompt\":\"a\",\"referenceImages\":[\"local.png\",\"../img/ok.png\"]}\n");
            PromptItem item = only(reader.read(file, inbox));
            assertThat(item.problem()).isNull();
            assertThat(item.referenceImages()).containsExactly(
                    sub.resolve("local.png").toRealPath(), inbox.resolve("img/ok.png").toRealPath());
        }
    }

    @Nested
    class Csv {

        @Test
        void headerNamesAreCaseInsensitiveAndQuotingFollowsRfc4180() throws Exception {
            Files.write(inbox.resolve("a.png"), new byte[1]);
            Files.write(inbox.resolve("b.png"), new byte[1]);
            PromptBatch batch = read("shots.csv", " ID , Prompt ,aspect_ratio,Image Size,MODEL,referenceImages,notes\r\n"
                    + "hero,\"a fox, in snow\",16:9,2K,gemini-3-pro-image,a.png;b.png,whatever\r\n"
                    + ",\"two\r\nlines with \"\"quotes\"\"\",,,,a.png | b.png,\r\n"
                    + ",,,,,,\r\n"
                    + "\r\n"
                    + "  , \"spaced quote\" ,,,,,\r\n");
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::line, PromptItem::prompt, PromptItem::problem)
                    .containsExactly(
                            tuple("hero", 2, "a fox, in snow", null),
                            tuple("0003", 3, "two\nlines with \"quotes\"", null),
                            tuple("0007", 7, "spaced quote", null));
            PromptItem hero = batch.items().get(0);
            assertThat(hero.aspectRatio()).isEqualTo("16:9");
            assertThat(hero.imageSize()).isEqualTo("2K");
            assertThat(hero.model()).isEqualTo("gemini-3-pro-image");
            assertThat(hero.referenceImages()).hasSize(2);
            assertThat(batch.items().get(1).referenceImages()).hasSize(2);
            assertThat(batch.items().get(1).aspectRatio()).isNull();
        }

        @Test
        void raggedRowsAndBrokenQuotesFailOnlyTheirRow() throws Exception {
            PromptBatch batch = read("rows.csv", "id,prompt\n"
                    + "a,one\n"
                    + "b,two,extra\n"
                    + "c\n"
                    + "d,\"four\"x\n"
                    + "e,five\n");
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::problem).containsExactly(
                    tuple("a", null),
                    tuple("0003", "line 3: this row has 3 fields but the header has 2 columns; put fields that contain "
                            + "commas in double quotes"),
                    tuple("0004", "line 4: this row has 1 fields but the header has 2 columns; put fields that contain "
                            + "commas in double quotes"),
                    tuple("0005", "line 5: column 2 has text after its closing quote; put the whole field in quotes "
                            + "and write every quote inside it twice (\"\")"),
                    tuple("e", null));
        }

        @Test
        void onlyAPromptColumnIsRequired() throws Exception {
            PromptBatch batch = read("min.csv", "prompt\na cat\n\"\"\nlast\n");
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::valid)
                    .containsExactly(tuple("0002", true), tuple("0004", true));
            PromptBatch withIds = read("ids.csv", "Prompt,ID\n,x\n");
            assertThat(only(withIds).problem()).isEqualTo("line 2: 'prompt' is blank; write the prompt text or remove this item");
            assertThat(only(withIds).id()).isEqualTo("x");
        }

        @Test
        void fileLevelProblemsRejectTheFile() throws Exception {
            assertThat(rejection(write("noprompt.csv", "id,text\na,b\n")))
                    .isEqualTo("'noprompt.csv' has no 'prompt' column in its header row; add a first row of column "
                            + "names such as id,prompt,aspectRatio");
            assertThat(rejection(write("semi.csv", "id;prompt\na;b\n")))
                    .isEqualTo("'semi.csv' has no 'prompt' column in its header row; it seems to separate columns "
                            + "with ';' or tabs, save it again with commas");
            assertThat(rejection(write("tabs.csv", "id\tprompt\na\tb\n")))
                    .endsWith("it seems to separate columns with ';' or tabs, save it again with commas");
            assertThat(rejection(write("twice.csv", "prompt,Prompt\na,b\n")))
                    .isEqualTo("'twice.csv' has two 'prompt' columns in its header row; keep one");
            assertThat(rejection(write("open.csv", "prompt\nok\n\"never\nclosed\n")))
                    .isEqualTo("'open.csv' has a quoted field starting on line 3 that is never closed; add the missing "
                            + "closing quote (\")");
            assertThat(rejection(write("headeronly.csv", "id,prompt\n")))
                    .isEqualTo("'headeronly.csv' has no prompts; write a header row with a 'prompt' column and then "
                            + "one row per prompt");
        }
    }

    @Nested
    class JsonArray {

        @Test
        void elementsAreItemsIdentifiedByPosition() throws Exception {
            PromptBatch batch = read("arr.json", """
                    [
                      {"prompt": "one", "aspectRatio": "1:1"},
                      "not an object",
                      {
                        "id": "third",
                        "prompt": "three"
                      },
                      {"prompt": "four", "imageSize": "4k"}
                    ]
                    """);
            assertThat(batch.items()).extracting(PromptItem::id, PromptItem::line, PromptItem::problem).containsExactly(
                    tuple("0001", 2, null),
                    tuple("0002", 3, "item 2 at line 3: this is not a JSON object; every array element must look like "
                            + "{\"prompt\": \"...\"}"),
                    tuple("third", 4, null),
                    tuple("0004", 8, "item 4 at line 8: 'imageSize' '4k' must be written '4K' with an upper-case K; "
                            + "the API rejects the lower-case spelling"));
        }

        @Test
        void duplicatesNameTheFirstItem() throws Exception {
            PromptBatch batch = read("dup.json", "[{\"id\":\"x\",\"prompt\":\"a\"},\n{\"id\":\"x\",\"prompt\":\"b\"}]");
            assertThat(batch.items().get(1).problem())
                    .isEqualTo("item 2 at line 2: duplicate id 'x', first used on item 1 at line 1; give each item its own id");
        }

        @Test
        void structuralProblemsRejectTheFile() throws Exception {
            assertThat(rejection(write("obj.json", "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n")))
                    .isEqualTo("'obj.json' holds a JSON object, not an array; put the prompt objects inside [ ] separated "
                            + "by commas, or name the file .jsonl if it has one object per line");
            assertThat(rejection(write("str.json", "\"hello\"")))
                    .isEqualTo("'str.json' is not a JSON array of prompt objects; write an array like "
                            + "[{\"prompt\": \"a red fox in snow\"}]");
            assertThat(rejection(write("broken.json", "[\n{\"prompt\":\"a\"},\n{\"prompt\" \"b\"}\n]")))
                    .startsWith("'broken.json' is not valid JSON at line 3, column 11: Unexpected character ('\"' (code 34)): "
                            + "was expecting a colon to separate field name and value")
                    .endsWith("; fix it, for example with a JSON validator");
            assertThat(rejection(write("comma.json", "[{\"prompt\":\"a\"},")))
                    .isEqualTo("'comma.json' is not valid JSON at line 1, column 17: Unexpected end-of-input "
                            + "within/between Array entries; fix it, for example with a JSON validator");
            assertThat(rejection(write("cut.json", "[{\"prompt\":\"a\"}")))
                    .isEqualTo("'cut.json' is not valid JSON at line 1, column 16: Unexpected end-of-input: expected "
                            + "close marker for Array; fix it, for example with a JSON validator");
            assertThat(rejection(write("tail.json", "[{\"prompt\":\"a\"}] []")))
                    .isEqualTo("'tail.json' has more text after the closing ']' of its array; remove it or put "
                            + "everything inside the one array");
            assertThat(rejection(write("deep.json", "[" + "[".repeat(200) + "]".repeat(200) + "]")))
                    .isEqualTo("'deep.json' is not valid JSON (it is nested more than 64 levels deep or has an "
                            + "oversized value); fix it, for example with a JSON validator");
            assertThat(rejection(write("empty.json", "[]")))
                    .isEqualTo("'empty.json' has no prompts; write an array like [{\"prompt\": \"a red fox in snow\"}]");
        }
    }

    @Nested
    class WholeFile {

        @Test
        void invalidUtf8NamesTheOffsetAndLine() throws Exception {
            byte[] latin1 = "ok\nna\u00efve\n".getBytes(StandardCharsets.ISO_8859_1);
            assertThat(rejection(writeBytes("latin1.txt", latin1)))
                    .isEqualTo("'latin1.txt' is not valid UTF-8 text (first bad byte at offset 5, line 2); open it in "
                            + "an editor and save it again with the UTF-8 encoding");
            assertThat(rejection(writeBytes("cut.txt", new byte[] {'a', (byte) 0xE2, (byte) 0x82})))
                    .startsWith("'cut.txt' is not valid UTF-8 text (first bad byte at offset 1, line 1)");
            assertThat(rejection(writeBytes("cesu.txt", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})))
                    .startsWith("'cesu.txt' is not valid UTF-8 text");
        }

        @Test
        void binaryAndUtf16AreRecognised() throws Exception {
            assertThat(rejection(writeBytes("image.txt", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0})))
                    .isEqualTo("'image.txt' looks like a binary file, not text (it has a NUL byte at byte offset 4); "
                            + "save the prompts as UTF-8 text");
            assertThat(rejection(writeBytes("utf16.txt", "\uFEFFhi".getBytes(StandardCharsets.UTF_16LE))))
                    .isEqualTo("'utf16.txt' is saved as UTF-16 text; save it again with the UTF-8 encoding");
        }

        @Test
        void sizeAndItemLimitsRejectTheFile() throws Exception {
            PromptFileReader small = new PromptFileReader(new PromptLimits(20, 2, 100, 1, 100));
            assertThat(rejection(small, write("big.txt", "x".repeat(21))))
                    .isEqualTo("'big.txt' is 21 bytes, over the limit of 20 bytes per prompt file; split it into smaller files");
            assertThat(small.read(write("fits.txt", "x".repeat(20)), inbox).items()).hasSize(1);
            assertThat(rejection(small, write("many.txt", "a\nb\nc\n")))
                    .isEqualTo("'many.txt' has more than 2 prompts, the limit per file; split it into several files");
            assertThat(rejection(small, write("bad.jsonl", "1\n2\n3\n")))
                    .as("invalid items count too").contains("has more than 2 prompts");
            assertThat(small.read(write("two.txt", "a\n\n#c\nb\n"), inbox).items()).hasSize(2);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "\n\n  \n", "# only\n# comments\n", "\uFEFF"})
        void aFileWithoutPromptsIsRejected(String content) throws Exception {
            assertThat(rejection(write("nothing.txt", content)))
                    .isEqualTo("'nothing.txt' has no prompts; write one prompt per line");
        }

        @Test
        void aLinkToAFileOutsideTheInboxIsRejected(@TempDir Path elsewhere) throws Exception {
            Path target = Files.writeString(elsewhere.resolve("secret.txt"), "a prompt\n");
            Path link = Files.createSymbolicLink(inbox.resolve("link.txt"), target);
            assertThat(rejection(link)).isEqualTo("'link.txt' is stored outside the inbox (it is reached through a "
                    + "symbolic link) and is never read there; copy the file itself into the inbox");
            Path linkedFolder = Files.createSymbolicLink(inbox.resolve("linked-folder"), elsewhere);
            assertThat(rejection(linkedFolder.resolve("secret.txt"))).startsWith("'secret.txt' is stored outside the inbox");
            Path inner = Files.createSymbolicLink(inbox.resolve("inner.txt"), write("real.txt", "hello\n"));
            assertThat(reader.read(inner, inbox).name()).isEqualTo("inner");
        }

        @Test
        void aFolderNamedLikeAPromptFileIsRejected() throws Exception {
            assertThat(rejection(Files.createDirectory(inbox.resolve("folder.txt"))))
                    .isEqualTo("'folder.txt' is not a regular file; put prompt files, not folders, in the inbox");
        }

        @Test
        void anInboxReachedThroughASymlinkStillWorks(@TempDir Path elsewhere) throws Exception {
            Path linkedInbox = Files.createSymbolicLink(elsewhere.resolve("inbox-link"), inbox);
            Files.write(inbox.resolve("r.png"), new byte[1]);
            Path file = Files.writeString(linkedInbox.resolve("p.jsonl"),
                    "{\"prompt\":\"a\",\"referenceImages\":[\"r.png\"]}\n");
            assertThat(only(reader.read(file, linkedInbox)).problem()).isNull();
        }

        @Test
        void aMissingFileIsAnIoError() {
            assertThatThrownBy(() -> reader.read(inbox.resolve("gone.txt"), inbox)).isInstanceOf(IOException.class);
        }

        @Test
        void nonPromptFilesAreRefusedAsAProgrammingError() {
            assertThatThrownBy(() -> reader.read(inbox.resolve("notes.md"), inbox))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void twentyThousandLinesAreOneBatch() throws Exception {
            StringBuilder content = new StringBuilder();
            for (int i = 1; i <= 20_000; i++) {
                content.append("prompt number ").append(i).append('\n');
            }
            PromptBatch batch = read("many.txt", content.toString());
            assertThat(batch.items()).hasSize(20_000).allMatch(PromptItem::valid);
            assertThat(batch.items().get(19_999).id()).isEqualTo("20000");
            assertThat(batch.items().get(8).id()).isEqualTo("0009");
        }

        @Test
        void aFiveMegabyteTxtLineFailsOnlyItself() throws Exception {
            PromptBatch batch = read("huge.txt", "small\n" + "y".repeat(5 * 1024 * 1024) + "\nsmall again\n");
            assertThat(batch.items()).extracting(PromptItem::valid).containsExactly(true, false, true);
        }
    }

    @Test
    void promptFilesAreRecognisedByNameOnly() {
        assertThat(List.of("a.txt", "A.TXT", "b.jsonl", "c.Csv", "d.json", "my prompts.txt", "ü.jsonl", "x.y.csv"))
                .allMatch(name -> PromptFileReader.isPromptFile(Path.of(name)));
        assertThat(List.of(".hidden.txt", ".txt", "~$sheet.csv", "notes.md", "doc.docx", "a.txt.swp", "a.txt~",
                "a.json.tmp", "noext", "a.", "archive.jsonl.gz"))
                .noneMatch(name -> PromptFileReader.isPromptFile(Path.of(name)));
        assertThat(PromptFileReader.isPromptFile(Path.of("/"))).isFalse();
    }

    @Test
    void limitsAreValidated() {
        assertThat(PromptLimits.defaults()).isEqualTo(
                new PromptLimits(50L * 1024 * 1024, 100_000, 20_000, 14, 20L * 1024 * 1024));
        assertThatThrownBy(() -> new PromptLimits(0, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PromptLimits(1L << 31, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PromptLimits(1, 1, 1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
