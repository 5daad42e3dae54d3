package io.github.geminiimagebatch.prompt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names that become folders and files in the outbox: portable on Linux, macOS, Windows and S3 keys,
 * never hidden, never a path traversal, never a Windows device name.
 */
public final class SafeNames {

    public static final int MAX_ITEM_ID_LENGTH = 100;
    public static final int MAX_BATCH_NAME_LENGTH = 100;

    private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_ITEM_ID_LENGTH + "}");
    /** A batch name plus the "-" and 6 hex digits a claimed folder may add, more than once in the unlikely case. */
    private static final Pattern BATCH_FOLDER = Pattern.compile("[A-Za-z0-9._-]{1," + (MAX_BATCH_NAME_LENGTH + 21) + "}");
    private static final Pattern NOT_PORTABLE = Pattern.compile("[^A-Za-z0-9._-]+");
    private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");
    /** A name that already ends like a collision suffix is suffixed again, so it cannot collide with one. */
    private static final Pattern HASH_SUFFIX = Pattern.compile(".*-[0-9a-f]{6}");
    private static final int HASH_HEX_CHARS = 6;
    private static final Set<String> WINDOWS_DEVICE_NAMES = Set.of(
            "con", "prn", "aux", "nul",
            "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
            "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");
    /** Item ids whose sidecar {@code <id>.json} would clash with the outbox's own files. */
    private static final Set<String> OUTBOX_FILE_STEMS = Set.of("report", "manifest", "failed");

    private SafeNames() {
    }

    /**
     * The batch name for a prompt file name: its base name without the extension, reduced to
     * {@code [A-Za-z0-9._-]}. Accents are dropped ({@code Über} → {@code Uber}), other characters
     * become {@code _}, leading dots and dashes and trailing dots are removed, the length is bounded.
     * Whenever that changed anything, {@code -} and 6 hex digits of the SHA-256 of the original base
     * name are appended, so two different file names do not end up in the same folder.
     */
    public static String batchName(String fileName) {
        String base = stripExtension(fileName);
        String cleaned = Normalizer.normalize(base, Normalizer.Form.NFKD);
        cleaned = COMBINING_MARKS.matcher(cleaned).replaceAll("");
        cleaned = NOT_PORTABLE.matcher(cleaned).replaceAll("_");
        cleaned = trimLeading(cleaned, ".-");
        cleaned = trimTrailing(cleaned, ".");
        int maxStem = MAX_BATCH_NAME_LENGTH - 1 - HASH_HEX_CHARS;
        boolean changed = !cleaned.equals(base)
                || cleaned.isEmpty()
                || cleaned.length() > maxStem
                || isWindowsDeviceName(cleaned)
                || HASH_SUFFIX.matcher(cleaned).matches();
        if (!changed) {
            return cleaned;
        }
        if (cleaned.length() > maxStem) {
            cleaned = trimTrailing(cleaned.substring(0, maxStem), ".");
        }
        if (isWindowsDeviceName(cleaned) && cleaned.indexOf('.') > 0) {
            cleaned = cleaned.replaceFirst("\\.", "_.");
        }
        String stem = cleaned.isEmpty() ? "batch" : cleaned;
        return stem + "-" + shortHash(base);
    }

    /**
     * An item id may be used as a file stem in the outbox: 1 to 100 of {@code [A-Za-z0-9._-]}, not
     * starting with a dot (no hidden files, no {@code .} or {@code ..}), not a Windows device name
     * ({@code CON}, {@code nul.txt}, {@code COM1}, ... in any case), and not {@code report},
     * {@code manifest} or {@code failed}, which the outbox uses for its own files.
     */
    public static boolean isValidItemId(String id) {
        return id != null
                && ITEM_ID.matcher(id).matches()
                && id.charAt(0) != '.'
                && !isWindowsDeviceName(id)
                && !OUTBOX_FILE_STEMS.contains(id.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether {@code name} can be the folder of a batch as {@link #batchName} and the outbox's claims make it
     * (a retried item names its batch): portable characters only, not hidden, no path.
     */
    public static boolean isValidBatchFolder(String name) {
        return name != null
                && BATCH_FOLDER.matcher(name).matches()
                && name.charAt(0) != '.'
                && !isWindowsDeviceName(name);
    }

    /** The id of an item that has none of its own: its 1-based line number, at least 4 digits. */
    public static String lineId(int lineNumber) {
        if (lineNumber < 1) {
            throw new IllegalArgumentException("line numbers start at 1, was " + lineNumber);
        }
        return String.format(Locale.ROOT, "%04d", lineNumber);
    }

    /** Windows refuses a device name as a file name even with an extension: {@code nul.png}. */
    static boolean isWindowsDeviceName(String name) {
        int dot = name.indexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        return WINDOWS_DEVICE_NAMES.contains(stem.toLowerCase(Locale.ROOT));
    }

    private static String stripExtension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? fileName : fileName.substring(0, dot);
    }

    private static String trimLeading(String text, String unwanted) {
        int start = 0;
        while (start < text.length() && unwanted.indexOf(text.charAt(start)) >= 0) {
            start++;
        }
        return text.substring(start);
    }

    private static String trimTrailing(String text, String unwanted) {
        int end = text.length();
        while (end > 0 && unwanted.indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return text.substring(0, end);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
