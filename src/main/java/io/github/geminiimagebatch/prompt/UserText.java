package io.github.geminiimagebatch.prompt;

/** Echoes user-supplied text inside messages without letting it break or flood the message. */
final class UserText {

    private static final int MAX_QUOTED_CODE_POINTS = 60;

    private UserText() {
    }

    /** The text in single quotes, control characters and broken surrogates shown as '?', long text cut. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            if (shown == MAX_QUOTED_CODE_POINTS) {
                quoted.append('…');
                break;
            }
            int codePoint = text.codePointAt(i);
            quoted.appendCodePoint(isPrintable(codePoint) ? codePoint : '?');
            i += Character.charCount(codePoint);
            shown++;
        }
        return quoted.append('\'').toString();
    }

    /** Control characters other than tab and line breaks: they cannot be seen and confuse models and logs. */
    static boolean isForbiddenControl(int codePoint) {
        return Character.getType(codePoint) == Character.CONTROL
                && codePoint != '\t' && codePoint != '\n' && codePoint != '\r';
    }

    static String codePointName(int codePoint) {
        return String.format("U+%04X", codePoint);
    }

    private static boolean isPrintable(int codePoint) {
        int type = Character.getType(codePoint);
        return type != Character.CONTROL && type != Character.SURROGATE;
    }
}
