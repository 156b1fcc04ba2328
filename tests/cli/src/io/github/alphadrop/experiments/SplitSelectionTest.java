package io.github.alphadrop.experiments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitSelectionTest {

    @Test
    void forms() {
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, SplitSelection.parse("all", 5));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, SplitSelection.parse("ALL", 5));
        assertArrayEquals(new int[]{0, 1, 2}, SplitSelection.parse(null, 3));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, SplitSelection.parse("0-4", 20));
        assertArrayEquals(new int[]{3}, SplitSelection.parse("3", 20));
        assertArrayEquals(new int[]{19}, SplitSelection.parse("19", 20));
        assertArrayEquals(new int[]{4}, SplitSelection.parse("4-4", 5));
        // Lists are sorted and de-duplicated, so each split runs once whatever the spelling.
        assertArrayEquals(new int[]{0, 1, 2, 7, 9}, SplitSelection.parse(" 7, 0-2 ,1,9", 20));
    }

    @Test
    void badInputNamesTheValue() {
        assertBad("x", 20, "'x' is not a split index");
        assertBad("3-x", 20, "'x' is not a split index");
        assertBad("-1", 20, "'-1' is not a split index");
        assertBad("1,,2", 20, "'' is not a split index");
        assertBad("1.5", 20, "'1.5'");
        assertBad("4-0", 20, "range '4-0' is reversed");
        assertBad("20", 20, "split 20 is out of range [0, 20)");
        assertBad("3-25", 20, "split 25 is out of range [0, 20)");
        assertBad("99999999999", 20, "'99999999999' is too large");
        assertThrows(IllegalArgumentException.class, () -> SplitSelection.parse("all", 0));
    }

    private static void assertBad(String text, int n, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SplitSelection.parse(text, n));
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
        assertTrue(e.getMessage().contains("'" + text + "'"), () -> "\"" + e.getMessage() + "\" should quote the input");
    }
}
