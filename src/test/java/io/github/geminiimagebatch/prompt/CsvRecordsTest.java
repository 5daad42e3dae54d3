package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {

    private static List<CsvRecords.CsvRecord> all(String text) throws CsvRecords.UnclosedQuoteException {
        CsvRecords records = new CsvRecords(text);
        List<CsvRecords.CsvRecord> list = new ArrayList<>();
        for (CsvRecords.CsvRecord record = records.next(); record != null; record = records.next()) {
            list.add(record);
        }
        return list;
    }

    @Test
    void recordsKnowThePhysicalLineTheyStartOnWhateverTheLineEndings() throws Exception {
        List<CsvRecords.CsvRecord> records = all("h\r\n\"a\r\nb\"\r\nc\r\"d\re\"\rf\n\"g\n\n\"\nh");
        assertThat(records).extracting(CsvRecords.CsvRecord::line).containsExactly(1, 2, 4, 5, 7, 8, 11);
        assertThat(records).extracting(record -> record.fields().get(0))
                .containsExactly("h", "a\r\nb", "c", "d\re", "f", "g\n\n", "h");
    }

    @Test
    void quotingFollowsRfc4180() throws Exception {
        CsvRecords.CsvRecord record = all("\"a,b\",\"say \"\"hi\"\"\",,plain \"quote\",\"\",last,").get(0);
        assertThat(record.fields()).containsExactly("a,b", "say \"hi\"", "", "plain \"quote\"", "", "last", "");
        assertThat(record.problem()).isNull();
    }

    @Test
    void spacesAroundQuotedFieldsAreIgnoredButKeptInUnquotedOnes() throws Exception {
        assertThat(all("  \"a\"  , b ,\t\"c\"").get(0).fields()).containsExactly("a", " b ", "c");
    }

    @Test
    void textAfterAClosingQuoteIsAProblemOfThatRecordOnly() throws Exception {
        List<CsvRecords.CsvRecord> records = all("x,\"a\"b,c\nnext\n");
        assertThat(records.get(0).fields()).containsExactly("x", "a", "c");
        assertThat(records.get(0).problem()).startsWith("column 2 has text after its closing quote");
        assertThat(records.get(1).fields()).containsExactly("next");
        assertThat(records.get(1).problem()).isNull();
    }

    @Test
    void emptyRecordsAreBlank() throws Exception {
        assertThat(all("\n  \n,,\n\"\"\n").stream().allMatch(CsvRecords.CsvRecord::blank)).isTrue();
        assertThat(all(",x\n").get(0).blank()).isFalse();
    }

    @Test
    void anUnclosedQuoteNamesTheLineItStartsOn() {
        assertThatThrownBy(() -> all("a\nb\n\"c\nd\n"))
                .isInstanceOfSatisfying(CsvRecords.UnclosedQuoteException.class, e -> assertThat(e.line).isEqualTo(3));
    }

    @Test
    void emptyTextHasNoRecords() throws Exception {
        assertThat(all("")).isEmpty();
    }
}
