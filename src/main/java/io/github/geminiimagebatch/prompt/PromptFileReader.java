package io.github.geminiimagebatch.prompt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one prompt file ({@code .txt}, {@code .jsonl}, {@code .csv}, {@code .json}) into a batch.
 * A file that cannot be a batch at all is rejected with one sentence for the user; a bad item only
 * fails that item. See docs/prompt-files.md for the rules.
 *
 * <p>Memory: the file (at most {@link PromptLimits#maxFileBytes()}) is held as bytes and as decoded
 * text while it is read, so reading briefly takes up to about four times the file size. A reader is
 * immutable and may be shared between threads.
 */
public final class PromptFileReader {

    /** Prompt objects are flat; deeper nesting can only be an accident or an attack on the parser. */
    static final int MAX_JSON_NESTING_DEPTH = 64;

    private static final Map<String, String> FORMAT_HINTS = Map.of(
            "txt", "write one prompt per line",
            "jsonl", "write one JSON object per line like {\"prompt\": \"a red fox in snow\"}",
            "json", "write an array like [{\"prompt\": \"a red fox in snow\"}]",
            "csv", "write a header row with a 'prompt' column and then one row per prompt");

    /** Jackson's "(start marker at [Source: UNKNOWN; ...])" says nothing to a user. */
    private static final Pattern PARSER_SOURCE_NOTE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)");

    private final PromptLimits limits;
    private final JsonFactory jsonFactory;

    public PromptFileReader(PromptLimits limits) {
        this.limits = limits;
        this.jsonFactory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_JSON_NESTING_DEPTH)
                        .maxStringLength((int) limits.maxFileBytes())
                        .maxDocumentLength(limits.maxFileBytes())
                        .maxNameLength(1_000)
                        .maxNumberLength(100)
                        .build())
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
    }

    /**
     * Whether the inbox should treat this file as a batch: a {@code .txt}, {@code .jsonl}, {@code .csv}
     * or {@code .json} name (any case) with a base name, not hidden ({@code .name}) and not an office
     * lock file ({@code ~$name}). Only the name is looked at.
     */
    public static boolean isPromptFile(Path file) {
        Path fileName = file.getFileName();
        if (fileName == null) {
            return false;
        }
        String name = fileName.toString();
        if (name.startsWith(".") || name.startsWith("~$")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && FORMAT_HINTS.containsKey(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Reads {@code file}, which must lie inside {@code inboxRoot} also after following symlinks.
     *
     * @throws BatchRejectedException   the file cannot be read as a batch; the message says why and what to do
     * @throws IOException              the file system failed (missing file, permissions)
     * @throws IllegalArgumentException {@code file} is not a {@link #isPromptFile prompt file}
     */
    public PromptBatch read(Path file, Path inboxRoot) throws BatchRejectedException, IOException {
        if (!isPromptFile(file)) {
            throw new IllegalArgumentException(file + " is not a prompt file; check isPromptFile first");
        }
        String fileName = file.getFileName().toString();
        String shown = UserText.quote(fileName);
        String format = fileName.substring(fileName.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        Path inboxRealRoot = inboxRoot.toRealPath();
        if (Files.isSymbolicLink(file) && !Files.exists(file)) {
            throw new BatchRejectedException(shown + " is a link to a file that does not exist; "
                    + "copy the file itself into the inbox");
        }
        Path realFile = file.toRealPath();
        if (!realFile.startsWith(inboxRealRoot)) {
            throw new BatchRejectedException(shown + " is stored outside the inbox (it is reached through a symbolic "
                    + "link) and is never read there; copy the file itself into the inbox");
        }
        if (!Files.isRegularFile(realFile)) {
            throw new BatchRejectedException(shown + " is not a regular file; put prompt files, not folders, in the inbox");
        }
        String text = PromptText.read(realFile, limits.maxFileBytes(), shown);
        Path promptDirectory = file.toAbsolutePath().normalize().getParent();
        Items items = new Items(shown, new ItemValidator(
                limits, promptDirectory, inboxRoot.toAbsolutePath().normalize(), inboxRealRoot));
        switch (format) {
            case "txt" -> readTxt(text, items);
            case "jsonl" -> readJsonLines(text, items);
            case "json" -> readJsonArray(text, items, shown);
            default -> readCsv(text, items, shown);
        }
        if (items.list.isEmpty()) {
            throw new BatchRejectedException(shown + " has no prompts; " + FORMAT_HINTS.get(format));
        }
        String retryOf = items.list.stream().map(PromptItem::batch).filter(b -> b != null).findFirst().orElse(null);
        return new PromptBatch(SafeNames.batchName(fileName), file, oneBatch(items.list, retryOf), retryOf);
    }

    /**
     * A file retries one batch: its items land in that batch's folder and manifest, so a line naming another
     * batch, or none, fails (a line that names none would be a new item slipped into someone else's batch).
     */
    private static List<PromptItem> oneBatch(List<PromptItem> items, String retryOf) {
        if (retryOf == null) {
            return items;
        }
        String first = "'" + retryOf + "'";
        return items.stream().map(item -> !item.valid() || retryOf.equals(item.batch()) ? item
                : item.failed("line " + item.line() + ": " + (item.batch() == null ? "this line names no batch"
                        : "this line names batch '" + item.batch() + "'") + ", but the file retries batch " + first
                        + "; put each batch's lines in a file of its own (a line without 'batch' makes a new batch)"))
                .toList();
    }

    /** Collects checked items and enforces the per-file count on valid and invalid items alike. */
    private final class Items {
        final List<PromptItem> list = new ArrayList<>();
        private final String shownFile;
        private final ItemValidator validator;

        Items(String shownFile, ItemValidator validator) {
            this.shownFile = shownFile;
            this.validator = validator;
        }

        void add(RawItem raw) throws BatchRejectedException {
            if (list.size() == limits.maxItemsPerFile()) {
                throw new BatchRejectedException(String.format(Locale.ROOT,
                        "%s has more than %,d prompts, the limit per file; split it into several files",
                        shownFile, limits.maxItemsPerFile()));
            }
            list.add(validator.accept(raw));
        }
    }

    @FunctionalInterface
    private interface LineHandler {
        void line(int number, String content) throws BatchRejectedException;
    }

    private static void readTxt(String text, Items items) throws BatchRejectedException {
        forEachLine(text, (number, content) -> {
            if (isBlankOrComment(content)) {
                return;
            }
            String prompt = content.strip();
            RawItem raw = new RawItem(number, number, "line " + number);
            raw.prompt = prompt;
            items.add(raw);
        });
    }

    /** A line whose first non-blank character is '#' is a comment; in JSON Lines it could never be JSON anyway. */
    private static boolean isBlankOrComment(String line) {
        String stripped = line.stripLeading();
        return stripped.isEmpty() || stripped.charAt(0) == '#';
    }

    private void readJsonLines(String text, Items items) throws BatchRejectedException {
        forEachLine(text, (number, content) -> {
            if (!isBlankOrComment(content)) {
                items.add(parseJsonLine(number, content));
            }
        });
    }

    private RawItem parseJsonLine(int number, String content) {
        String where = "line " + number;
        RawItem raw = new RawItem(number, number, where);
        try (JsonParser parser = jsonFactory.createParser(content)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                raw.fail("this is not a JSON object; write one object per line like {\"prompt\": \"a red fox in snow\"}");
                return raw;
            }
            JsonFields.readObject(parser, raw);
            if (parser.nextToken() != null) {
                raw.fail("there is more after the closing '}'; put each object on a line of its own");
            }
            return raw;
        } catch (JsonProcessingException e) {
            RawItem unreadable = new RawItem(number, number, where);
            unreadable.fail("this is not valid JSON" + jsonErrorDetail(e, false) + "; fix the line");
            return unreadable;
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a string does no I/O", e);
        }
    }

    private void readJsonArray(String text, Items items, String shown) throws BatchRejectedException {
        try (JsonParser parser = jsonFactory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return;
            }
            if (first == JsonToken.START_OBJECT) {
                throw new BatchRejectedException(shown + " holds a JSON object, not an array; put the prompt objects "
                        + "inside [ ] separated by commas, or name the file .jsonl if it has one object per line");
            }
            if (first != JsonToken.START_ARRAY) {
                throw new BatchRejectedException(shown + " is not a JSON array of prompt objects; "
                        + FORMAT_HINTS.get("json"));
            }
            int position = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                position++;
                int line = parser.currentTokenLocation().getLineNr();
                RawItem raw = new RawItem(line, position, "item " + position + " at line " + line);
                if (token == JsonToken.START_OBJECT) {
                    JsonFields.readObject(parser, raw);
                } else {
                    raw.fail("this is not a JSON object; every array element must look like {\"prompt\": \"...\"}");
                    parser.skipChildren();
                }
                items.add(raw);
            }
            if (parser.nextToken() != null) {
                throw new BatchRejectedException(shown + " has more text after the closing ']' of its array; "
                        + "remove it or put everything inside the one array");
            }
        } catch (JsonProcessingException e) {
            throw new BatchRejectedException(shown + " is not valid JSON" + jsonErrorDetail(e, true)
                    + "; fix it, for example with a JSON validator");
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a string does no I/O", e);
        }
    }

    private static void readCsv(String text, Items items, String shown) throws BatchRejectedException {
        CsvRecords records = new CsvRecords(text);
        try {
            CsvRecords.CsvRecord header = records.next();
            while (header != null && header.blank()) {
                header = records.next();
            }
            if (header == null) {
                return;
            }
            Map<String, Integer> columns = csvColumns(header, shown);
            for (CsvRecords.CsvRecord row = records.next(); row != null; row = records.next()) {
                if (!row.blank()) {
                    items.add(csvItem(row, columns, header.fields().size()));
                }
            }
        } catch (CsvRecords.UnclosedQuoteException e) {
            throw new BatchRejectedException(shown + " has a quoted field starting on line " + e.line
                    + " that is never closed; add the missing closing quote (\")");
        }
    }

    private static Map<String, Integer> csvColumns(CsvRecords.CsvRecord header, String shown)
            throws BatchRejectedException {
        if (header.problem() != null) {
            throw new BatchRejectedException(shown + " has a broken header row on line " + header.line() + ": "
                    + header.problem());
        }
        Map<String, String> fieldByLooseName = new HashMap<>();
        JsonFields.FIELD_NAMES.forEach(field -> fieldByLooseName.put(JsonFields.looseName(field), field));
        Map<String, Integer> columns = new HashMap<>();
        List<String> names = header.fields();
        for (int column = 0; column < names.size(); column++) {
            String field = fieldByLooseName.get(JsonFields.looseName(names.get(column)));
            if (field != null && columns.put(field, column) != null) {
                throw new BatchRejectedException(shown + " has two '" + field + "' columns in its header row; keep one");
            }
        }
        if (!columns.containsKey("prompt")) {
            String hint = names.size() == 1 && names.get(0).matches(".*[;\t].*")
                    ? "; it seems to separate columns with ';' or tabs, save it again with commas"
                    : "; add a first row of column names such as id,prompt,aspectRatio";
            throw new BatchRejectedException(shown + " has no 'prompt' column in its header row" + hint);
        }
        return columns;
    }

    private static RawItem csvItem(CsvRecords.CsvRecord row, Map<String, Integer> columns, int headerSize) {
        RawItem raw = new RawItem(row.line(), row.line(), "line " + row.line());
        if (row.problem() != null) {
            raw.fail(row.problem());
            return raw;
        }
        List<String> fields = row.fields();
        if (fields.size() != headerSize) {
            raw.fail("this row has " + fields.size() + " fields but the header has " + headerSize
                    + " columns; put fields that contain commas in double quotes");
            return raw;
        }
        raw.prompt = cell(fields, columns, "prompt");
        raw.id = cell(fields, columns, "id");
        raw.aspectRatio = cell(fields, columns, "aspectRatio");
        raw.imageSize = cell(fields, columns, "imageSize");
        raw.model = cell(fields, columns, "model");
        raw.batch = cell(fields, columns, "batch");
        String references = cell(fields, columns, "referenceImages");
        raw.referenceImages = references == null ? List.of()
                : Arrays.stream(references.split("[;|]")).map(String::strip).filter(path -> !path.isEmpty()).toList();
        return raw;
    }

    private static String cell(List<String> fields, Map<String, Integer> columns, String field) {
        Integer column = columns.get(field);
        return column == null ? null : fields.get(column);
    }

    /** Calls the handler for every line; {@code \r\n}, {@code \n} and a lone {@code \r} all end a line. */
    private static void forEachLine(String text, LineHandler handler) throws BatchRejectedException {
        int number = 1;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                handler.line(number++, text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.length()) {
            handler.line(number, text.substring(start));
        }
    }

    /** Where and why the JSON broke; a JSON Lines line is one line, so there only the column is worth saying. */
    private static String jsonErrorDetail(JsonProcessingException e, boolean withLine) {
        if (e instanceof StreamConstraintsException) {
            return " (it is nested more than " + MAX_JSON_NESTING_DEPTH + " levels deep or has an oversized value)";
        }
        String reason = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        reason = PARSER_SOURCE_NOTE.matcher(reason).replaceAll("");
        if (reason.length() > 120) {
            reason = reason.substring(0, 120) + "…";
        }
        String location = e.getLocation() == null ? ""
                : (withLine ? " at line " + e.getLocation().getLineNr() + "," : " at") + " column " + e.getLocation().getColumnNr();
        return location + (reason.isEmpty() ? "" : ": " + reason);
    }
}
