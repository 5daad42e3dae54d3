package io.github.geminiimagebatch.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records with the physical line each starts on: comma-separated, fields optionally in
 * double quotes with {@code ""} for a quote inside, line breaks inside quotes kept. Lenient where
 * spreadsheets are: spaces before an opening or after a closing quote are ignored, a quote inside an
 * unquoted field is taken literally, and {@code \r\n}, {@code \n} and {@code \r} all end a record.
 */
final class CsvRecords {

    /**
     * One record; {@code problem} is set when its quoting is broken but the next record is still findable.
     * A record of empty fields ({@code ,,,}) is blank: spreadsheets export empty rows that way.
     */
    record CsvRecord(int line, List<String> fields, String problem) {

        boolean blank() {
            return problem == null && fields.stream().allMatch(String::isBlank);
        }
    }

    /** A quoted field runs to the end of the file: nothing after it can be trusted. */
    static final class UnclosedQuoteException extends Exception {

        private static final long serialVersionUID = 1L;
        final int line;

        UnclosedQuoteException(int line) {
            super("quoted field starting on line " + line + " is never closed");
            this.line = line;
        }
    }

    private final String text;
    private int position;
    private int line = 1;

    CsvRecords(String text) {
        this.text = text;
    }

    /** The next record, or null at the end of the text. */
    CsvRecord next() throws UnclosedQuoteException {
        if (position >= text.length()) {
            return null;
        }
        int startLine = line;
        List<String> fields = new ArrayList<>();
        String problem = null;
        while (true) {
            StringBuilder field = new StringBuilder();
            int quoteAt = skipSpaces(position);
            if (quoteAt < text.length() && text.charAt(quoteAt) == '"') {
                position = quoteAt + 1;
                readQuoted(field);
                int after = skipSpaces(position);
                if (after < text.length() && !isFieldEnd(text.charAt(after)) && problem == null) {
                    problem = "column " + (fields.size() + 1) + " has text after its closing quote; put the whole "
                            + "field in quotes and write every quote inside it twice (\"\")";
                }
                position = after;
                while (position < text.length() && !isFieldEnd(text.charAt(position))) {
                    position++;
                }
            } else {
                while (position < text.length() && !isFieldEnd(text.charAt(position))) {
                    field.append(text.charAt(position++));
                }
            }
            fields.add(field.toString());
            if (position < text.length() && text.charAt(position) == ',') {
                position++;
                continue;
            }
            skipLineBreak();
            return new CsvRecord(startLine, fields, problem);
        }
    }

    private void readQuoted(StringBuilder field) throws UnclosedQuoteException {
        int quoteLine = line;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '"') {
                if (position + 1 < text.length() && text.charAt(position + 1) == '"') {
                    field.append('"');
                    position += 2;
                    continue;
                }
                position++;
                return;
            }
            if (c == '\n' || c == '\r' && !(position + 1 < text.length() && text.charAt(position + 1) == '\n')) {
                line++;
            }
            field.append(c);
            position++;
        }
        throw new UnclosedQuoteException(quoteLine);
    }

    private void skipLineBreak() {
        if (position >= text.length()) {
            return;
        }
        if (text.charAt(position) == '\r') {
            position++;
        }
        if (position < text.length() && text.charAt(position) == '\n') {
            position++;
        }
        line++;
    }

    private int skipSpaces(int from) {
        int at = from;
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
        return at;
    }

    private static boolean isFieldEnd(char c) {
        return c == ',' || c == '\n' || c == '\r';
    }
}
