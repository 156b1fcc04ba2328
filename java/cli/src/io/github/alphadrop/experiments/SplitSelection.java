package io.github.alphadrop.experiments;

import java.util.BitSet;

/**
 * Which splits of a UCI folder to run, as written on the command line: {@code all}, one index
 * ({@code 3}), an inclusive range ({@code 0-4}) or a comma-separated mix of those ({@code 0-2,7}).
 */
public final class SplitSelection {

    /** The accepted forms, for help texts and error messages. */
    public static final String FORMS = "all, I, I-J (inclusive) or a comma-separated list of those";

    private SplitSelection() {
    }

    /**
     * The selected split indices in ascending order, without repeats.
     *
     * @param text      the selection; null or blank means {@code all}
     * @param numSplits how many splits the folder has
     * @throws IllegalArgumentException naming the offending text if it is malformed, a range is reversed
     *                                  or an index is outside {@code [0, numSplits)}
     */
    public static int[] parse(String text, int numSplits) {
        if (numSplits < 1) {
            throw new IllegalArgumentException("the data have no splits (" + numSplits + ")");
        }
        if (text == null || text.isBlank() || text.trim().equalsIgnoreCase("all")) {
            int[] all = new int[numSplits];
            for (int i = 0; i < numSplits; i++) {
                all[i] = i;
            }
            return all;
        }
        BitSet chosen = new BitSet(numSplits);
        for (String raw : text.split(",", -1)) {
            String part = raw.trim();
            int dash = part.indexOf('-', 1); // from 1: a leading '-' is a (bad) sign, not a range
            int from;
            int to;
            if (dash < 0) {
                from = index(part, text);
                to = from;
            } else {
                from = index(part.substring(0, dash).trim(), text);
                to = index(part.substring(dash + 1).trim(), text);
                if (to < from) {
                    throw new IllegalArgumentException("splits '" + text + "': range '" + part + "' is reversed");
                }
            }
            if (to >= numSplits) {
                throw new IllegalArgumentException("splits '" + text + "': split " + to + " is out of range [0, "
                        + numSplits + ") (the data have " + numSplits + " splits)");
            }
            chosen.set(from, to + 1);
        }
        return chosen.stream().toArray();
    }

    private static int index(String token, String text) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("splits '" + text + "': '" + token + "' is not a split index; use "
                    + FORMS);
        }
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("splits '" + text + "': '" + token + "' is too large");
        }
    }
}
