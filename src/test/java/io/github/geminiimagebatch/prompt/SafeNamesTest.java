package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeNamesTest {

    private static final Pattern PORTABLE = Pattern.compile("[A-Za-z0-9._-]+");

    @Test
    void cleanNamesStayAsTheyAreWithoutTheExtension() {
        assertThat(SafeNames.batchName("cats.txt")).isEqualTo("cats");
        assertThat(SafeNames.batchName("Product_Shots-2025.v2.jsonl")).isEqualTo("Product_Shots-2025.v2");
        assertThat(SafeNames.batchName("noextension")).isEqualTo("noextension");
    }

    @Test
    void examplesOfTheDocumentation() {
        // docs/prompt-files.md; suffixes computed independently: sha256 of the base name, first 6 hex digits
        assertThat(SafeNames.batchName("my prompts.txt")).isEqualTo("my_prompts-1774a8");
        assertThat(SafeNames.batchName("CON.txt")).isEqualTo("CON-a3dbc4");
        assertThat(SafeNames.batchName("Über Katzen.txt")).isEqualTo("Uber_Katzen-daddb5");
        assertThat(SafeNames.batchName("cats.txt")).isEqualTo("cats").isEqualTo(SafeNames.batchName("cats.csv"));
    }

    @Test
    void changedNamesGetAHashOfTheOriginalSoTheyDoNotCollide() {
        String spaced = SafeNames.batchName("my prompts.txt");
        String underscored = SafeNames.batchName("my_prompts.txt");
        String otherSpacing = SafeNames.batchName("my\tprompts.txt");
        assertThat(underscored).isEqualTo("my_prompts");
        assertThat(spaced).matches("my_prompts-[0-9a-f]{6}");
        assertThat(otherSpacing).matches("my_prompts-[0-9a-f]{6}").isNotEqualTo(spaced);
        assertThat(SafeNames.batchName("my prompts.csv")).as("the same base name is the same batch").isEqualTo(spaced);
    }

    @Test
    void accentsAreDroppedAndOtherScriptsReplaced() {
        assertThat(SafeNames.batchName("Über Katzen.txt")).matches("Uber_Katzen-[0-9a-f]{6}");
        assertThat(SafeNames.batchName("猫の写真.txt")).matches("_-[0-9a-f]{6}");
        assertThat(SafeNames.batchName("猫.txt")).isNotEqualTo(SafeNames.batchName("犬.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd.txt", "..\\..\\windows.txt", "/abs/path.txt", ".hidden.txt",
            "...txt", "..txt", ".txt", "-rf.txt", "trailing..txt", "a/b\\c.txt", "CON.txt", "con.txt", "nul.jsonl",
            "COM1.csv", "lpt9.json", "aux.tar.txt", "\u0000nul\u0007.txt", " .txt", "\u202Egnp.txt"})
    void hostileNamesBecomePortableVisibleNonReservedFolderNames(String fileName) {
        String name = SafeNames.batchName(fileName);
        assertThat(name).matches(PORTABLE).doesNotStartWith(".").doesNotStartWith("-").doesNotEndWith(".")
                .isNotEqualTo(".").isNotEqualTo("..").hasSizeLessThanOrEqualTo(SafeNames.MAX_BATCH_NAME_LENGTH);
        assertThat(SafeNames.isWindowsDeviceName(name)).isFalse();
        assertThat(name).doesNotContain("/").doesNotContain("\\");
    }

    @Test
    void reservedNamesKeepTheirStemButGetASuffix() {
        assertThat(SafeNames.batchName("CON.txt")).matches("CON-[0-9a-f]{6}");
        assertThat(SafeNames.batchName("con.txt")).matches("con-[0-9a-f]{6}").isNotEqualTo(SafeNames.batchName("CON.txt"));
        assertThat(SafeNames.batchName(".txt")).matches("batch-[0-9a-f]{6}");
    }

    @Test
    void aCleanNameThatLooksHashedIsHashedAgainSoItCannotCollideWithASanitisedOne() {
        String sanitised = SafeNames.batchName("a b.txt");
        String lookalike = SafeNames.batchName(sanitised + ".txt");
        assertThat(lookalike).isNotEqualTo(sanitised).startsWith(sanitised + "-");
    }

    @Test
    void longNamesAreBoundedAndStayDistinct() {
        String longA = "a".repeat(300) + "A.txt";
        String longB = "a".repeat(300) + "B.txt";
        assertThat(SafeNames.batchName(longA)).hasSize(SafeNames.MAX_BATCH_NAME_LENGTH).matches(PORTABLE);
        assertThat(SafeNames.batchName(longA)).isNotEqualTo(SafeNames.batchName(longB));
        String exactlyFits = "b".repeat(SafeNames.MAX_BATCH_NAME_LENGTH - 7);
        assertThat(SafeNames.batchName(exactlyFits + ".txt")).isEqualTo(exactlyFits);
    }

    @Test
    void distinctUnsafeNamesGiveDistinctBatchNames() {
        List<String> names = List.of("a b.txt", "a\tb.txt", "a/b.txt", "a\\b.txt", "a:b.txt", "a*b.txt", "a?b.txt",
                "a\"b.txt", "a<b.txt", "a|b.txt", "a_b.txt", "á b.txt", "a  b.txt", "a b .txt");
        Set<String> batchNames = new HashSet<>();
        names.forEach(name -> batchNames.add(SafeNames.batchName(name)));
        assertThat(batchNames).hasSize(names.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "0007", "cat-1", "Cat_2.v3", "x.", "a..b", "report-1", "reports", "CONSOLE", "nul_1",
            "COM10", "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"})
    void validItemIds(String id) {
        assertThat(SafeNames.isValidItemId(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", ".hidden", "../x", "a/b", "a\\b", "/etc", "C:x", "a b", "é", "a\u0000",
            "CON", "con", "Nul", "nul.png", "COM1", "com0.x", "LPT9", "aux.tar.gz", "PRN", "report", "Manifest",
            "FAILED", "line\n2",
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901"})
    void invalidItemIds(String id) {
        assertThat(SafeNames.isValidItemId(id)).isFalse();
    }

    @Test
    void nullIsNotAnId() {
        assertThat(SafeNames.isValidItemId(null)).isFalse();
    }

    @Test
    void lineIdsArePaddedToFourDigits() {
        assertThat(SafeNames.lineId(1)).isEqualTo("0001");
        assertThat(SafeNames.lineId(7)).isEqualTo("0007");
        assertThat(SafeNames.lineId(9999)).isEqualTo("9999");
        assertThat(SafeNames.lineId(12345)).isEqualTo("12345");
        assertThat(SafeNames.isValidItemId(SafeNames.lineId(Integer.MAX_VALUE))).isTrue();
        assertThatThrownBy(() -> SafeNames.lineId(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
