package io.stowage.server.http;

/**
 * The longest piece of literal text that every path a route's expression matches must contain,
 * read off the expression: characters outside groups and classes that no quantifier makes
 * optional. Conservative: anything it does not understand ends the piece, and an alternation at
 * the top level means no piece at all (the empty string, which every path contains).
 */
final class RequiredText {
    private static final String META = ".^$|()[]{}*+?\\";

    private RequiredText() {
    }

    static String of(String regex) {
        String longest = "";
        StringBuilder run = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++; // an escape: skip the escaped character, end the run
                longest = longer(longest, run);
                run.setLength(0);
                continue;
            }
            if (c == '[') {
                i = regex.indexOf(']', i + 1);
                if (i < 0) {
                    return "";
                }
                longest = longer(longest, run);
                run.setLength(0);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return "";
            }
            boolean quantifier = c == '?' || c == '*' || c == '+' || c == '{';
            if (quantifier && run.length() > 0) {
                run.setLength(run.length() - 1); // the character before is optional or repeated
            }
            if (depth > 0 || META.indexOf(c) >= 0) {
                longest = longer(longest, run);
                run.setLength(0);
                continue;
            }
            run.append(c);
        }
        return longer(longest, run);
    }

    private static String longer(String longest, StringBuilder run) {
        return run.length() > longest.length() ? run.toString() : longest;
    }
}
