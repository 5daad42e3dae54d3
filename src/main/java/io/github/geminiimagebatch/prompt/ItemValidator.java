package io.github.geminiimagebatch.prompt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the raw items of one file into checked {@link PromptItem}s: the same rules for every format,
 * and ids that stay unique in the file even for bad items.
 */
final class ItemValidator {

    static final List<String> ASPECT_RATIOS = List.of(
            "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8", "8:1");
    static final List<String> IMAGE_SIZES = List.of("512", "1K", "2K", "4K");

    /** The model name ends up in a request URL path, so it must not carry '/', '?', '%' or spaces. */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("[A-Za-z]:.*");

    private record UsedId(String id, String where) {
    }

    private final PromptLimits limits;
    private final Path promptDirectory;
    private final Path inboxRoot;
    private final Path inboxRealRoot;
    /** Keyed by lower case: ids that differ only in case are the same file on Windows and macOS. */
    private final Map<String, UsedId> usedIds = new HashMap<>();

    /**
     * @param promptDirectory absolute folder of the prompt file, the base of relative reference paths
     * @param inboxRoot       absolute, normalised inbox path as configured
     * @param inboxRealRoot   the same with symlinks resolved
     */
    ItemValidator(PromptLimits limits, Path promptDirectory, Path inboxRoot, Path inboxRealRoot) {
        this.limits = limits;
        this.promptDirectory = promptDirectory;
        this.inboxRoot = inboxRoot;
        this.inboxRealRoot = inboxRealRoot;
    }

    PromptItem accept(RawItem raw) {
        List<String> problems = new ArrayList<>(1);
        if (raw.problem != null) {
            problems.add(raw.problem);
        }
        String id = allocateId(raw, problems);
        String prompt = raw.prompt == null ? null : normaliseLineBreaks(raw.prompt).strip();
        checkPrompt(prompt, problems);
        String aspectRatio = blankToNull(raw.aspectRatio);
        String imageSize = blankToNull(raw.imageSize);
        String model = blankToNull(raw.model);
        checkAspectRatio(aspectRatio, problems);
        checkImageSize(imageSize, problems);
        checkModel(model, problems);
        String batch = blankToNull(raw.batch);
        checkBatch(batch, problems);
        List<Path> referenceImages = problems.isEmpty() ? resolveReferenceImages(raw.referenceImages, problems) : List.of();
        String problem = problems.isEmpty() ? null : raw.where + ": " + problems.get(0);
        return new PromptItem(id, raw.line, prompt, aspectRatio, imageSize, model, referenceImages, batch, problem);
    }

    private String allocateId(RawItem raw, List<String> problems) {
        String explicitId = blankToNull(raw.id);
        String lineId = SafeNames.lineId(raw.number);
        String wanted = lineId;
        if (explicitId != null) {
            if (SafeNames.isValidItemId(explicitId)) {
                wanted = explicitId;
            } else {
                problems.add("id " + UserText.quote(explicitId) + " cannot be used as a file name; "
                        + "use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.', "
                        + "and not a reserved name such as CON, NUL, report, manifest or failed");
            }
        }
        UsedId first = usedIds.get(key(wanted));
        if (first != null && (explicitId == null || wanted.equals(explicitId))) {
            problems.add(duplicateIdProblem(wanted, explicitId != null, first));
        }
        String id = first == null ? wanted : freeVariantOf(lineId);
        usedIds.put(key(id), new UsedId(id, raw.where));
        return id;
    }

    private static String duplicateIdProblem(String wanted, boolean explicit, UsedId first) {
        if (!explicit) {
            return "its line-number id '" + wanted + "' is already the id of " + first.where()
                    + "; give this item an explicit id";
        }
        if (!first.id().equals(wanted)) {
            return "id '" + wanted + "' differs from the id '" + first.id() + "' of " + first.where()
                    + " only in upper/lower case, which is the same file name on Windows and macOS; "
                    + "give each item its own id";
        }
        return "duplicate id '" + wanted + "', first used on " + first.where() + "; give each item its own id";
    }

    private String freeVariantOf(String base) {
        String candidate = base;
        for (int n = 2; usedIds.containsKey(key(candidate)); n++) {
            candidate = base + "-" + n;
        }
        return candidate;
    }

    private void checkPrompt(String prompt, List<String> problems) {
        if (prompt == null) {
            problems.add("'prompt' is missing; every item needs a non-blank \"prompt\"");
            return;
        }
        if (prompt.isEmpty()) {
            problems.add("'prompt' is blank; write the prompt text or remove this item");
            return;
        }
        int codePoints = prompt.codePointCount(0, prompt.length());
        if (codePoints > limits.maxPromptChars()) {
            problems.add(String.format(Locale.ROOT,
                    "'prompt' is %,d characters long, over the limit of %,d; shorten it",
                    codePoints, limits.maxPromptChars()));
            return;
        }
        int position = 1;
        for (int i = 0; i < prompt.length(); position++) {
            int codePoint = prompt.codePointAt(i);
            if (UserText.isForbiddenControl(codePoint)) {
                problems.add("'prompt' contains the invisible control character " + UserText.codePointName(codePoint)
                        + " at character " + position + "; remove it");
                return;
            }
            if (Character.getType(codePoint) == Character.SURROGATE) {
                problems.add("'prompt' contains a broken character (an unpaired surrogate such as \\ud800) at character "
                        + position + "; fix the text");
                return;
            }
            i += Character.charCount(codePoint);
        }
    }

    private static void checkAspectRatio(String aspectRatio, List<String> problems) {
        if (aspectRatio != null && !ASPECT_RATIOS.contains(aspectRatio)) {
            problems.add("'aspectRatio' " + UserText.quote(aspectRatio) + " is not a known aspect ratio; use one of "
                    + String.join(", ", ASPECT_RATIOS));
        }
    }

    private static void checkImageSize(String imageSize, List<String> problems) {
        if (imageSize == null || IMAGE_SIZES.contains(imageSize)) {
            return;
        }
        String sameLetters = IMAGE_SIZES.stream().filter(imageSize::equalsIgnoreCase).findFirst().orElse(null);
        if (sameLetters != null) {
            problems.add("'imageSize' " + UserText.quote(imageSize) + " must be written '" + sameLetters
                    + "' with an upper-case K; the API rejects the lower-case spelling");
        } else {
            problems.add("'imageSize' " + UserText.quote(imageSize) + " is not a known image size; use one of "
                    + String.join(", ", IMAGE_SIZES));
        }
    }

    private static void checkModel(String model, List<String> problems) {
        if (model != null && !MODEL_NAME.matcher(model).matches()) {
            problems.add("'model' " + UserText.quote(model) + " is not a model name; use a Gemini model name "
                    + "such as gemini-3.1-flash-image (letters, digits, '.', '_', '-')");
        }
    }

    private static void checkBatch(String batch, List<String> problems) {
        if (batch != null && !SafeNames.isValidBatchFolder(batch)) {
            problems.add("'batch' " + UserText.quote(batch) + " is not the name of a batch folder; it is written by the"
                    + " product in failed.jsonl, so leave it as it was or remove it to make a batch of its own");
        }
    }

    private List<Path> resolveReferenceImages(List<String> references, List<String> problems) {
        if (references.size() > limits.maxReferenceImages()) {
            problems.add("it has " + references.size() + " reference images, over the limit of "
                    + limits.maxReferenceImages() + "; use fewer");
            return List.of();
        }
        List<Path> resolved = new ArrayList<>(references.size());
        for (String reference : references) {
            String problem = checkReference(reference, resolved);
            if (problem != null) {
                problems.add(problem);
                return List.of();
            }
        }
        return resolved;
    }

    /** Resolves one reference into {@code resolved}, or says why it cannot be used. */
    private String checkReference(String reference, List<Path> resolved) {
        String quoted = UserText.quote(reference);
        String portable = reference.strip().replace('\\', '/');
        if (portable.isEmpty()) {
            return "'referenceImages' contains an empty path; remove it";
        }
        if (portable.startsWith("/") || WINDOWS_DRIVE.matcher(portable).matches()) {
            return "reference image " + quoted + " is an absolute path; write it relative to the prompt file";
        }
        Path real;
        try {
            Path candidate = promptDirectory.resolve(portable).normalize();
            if (!candidate.startsWith(inboxRoot) && !candidate.startsWith(inboxRealRoot)) {
                return outsideInbox(quoted);
            }
            if (!Files.exists(candidate)) {
                return "reference image " + quoted + " does not exist; paths are relative to the prompt file";
            }
            real = candidate.toRealPath();
        } catch (InvalidPathException | IOException e) {
            return "reference image " + quoted + " cannot be opened; check the path";
        }
        if (!real.startsWith(inboxRealRoot)) {
            return outsideInbox(quoted);
        }
        if (!Files.isRegularFile(real)) {
            return "reference image " + quoted + " is not a file";
        }
        if (ReferenceImages.mimeType(real).isEmpty()) {
            return "reference image " + quoted + " is not a " + ReferenceImages.ACCEPTED_EXTENSIONS + " file";
        }
        try {
            long bytes = Files.size(real);
            if (bytes > limits.maxReferenceImageBytes()) {
                return String.format(Locale.ROOT, "reference image %s is %,d bytes, over the limit of %,d; "
                        + "use a smaller image", quoted, bytes, limits.maxReferenceImageBytes());
            }
        } catch (IOException e) {
            return "reference image " + quoted + " cannot be read; check its permissions";
        }
        resolved.add(real);
        return null;
    }

    private static String outsideInbox(String quotedReference) {
        return "reference image " + quotedReference + " is outside the inbox; copy the image into the inbox";
    }

    private static String normaliseLineBreaks(String text) {
        return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static String blankToNull(String value) {
        if (value == null) {
            return null;
        }
        String stripped = value.strip();
        return stripped.isEmpty() ? null : stripped;
    }

    private static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}
