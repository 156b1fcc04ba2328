package io.github.alphadrop.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Range checks that live with the option: picocli reports a failure as
 * {@code Invalid value for option '--steps': must be >= 1, got 0} before any command runs.
 */
final class Converters {

    private Converters() {
    }

    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number");
        }
    }

    private static double parseDouble(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number");
        }
    }

    /** A whole number >= 1. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v = parseInt(value);
            if (v < 1) {
                throw new TypeConversionException("must be >= 1, got " + v);
            }
            return v;
        }
    }

    /** A whole number >= 0. */
    static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v = parseInt(value);
            if (v < 0) {
                throw new TypeConversionException("must be >= 0, got " + v);
            }
            return v;
        }
    }

    /** A finite number > 0. */
    static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double v = parseDouble(value);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new TypeConversionException("must be a positive finite number, got " + value.trim());
            }
            return v;
        }
    }

    /** A finite number >= 0 (α, weight decay). */
    static final class NonNegativeFloat implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            double v = parseDouble(value);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new TypeConversionException("must be a finite number >= 0, got " + value.trim());
            }
            return (float) v;
        }
    }

    /** A finite number >= 0 (weight decay). */
    static final class NonNegativeDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double v = parseDouble(value);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new TypeConversionException("must be a finite number >= 0, got " + value.trim());
            }
            return v;
        }
    }

    /** A drop probability in [0, 1). */
    static final class DropProbability implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            double v = parseDouble(value);
            if (!(v >= 0 && v < 1)) {
                throw new TypeConversionException("must be in [0, 1), got " + value.trim());
            }
            return (float) v;
        }
    }

    /** Hidden layer sizes (a type of its own: picocli would treat an int[] option as a list of ints). */
    record Hidden(int[] sizes) {
    }

    /** Hidden layer sizes, comma-separated, each >= 1; "none" for no hidden layer (never an empty list by accident). */
    static final class HiddenSizes implements ITypeConverter<Hidden> {
        @Override
        public Hidden convert(String text) {
            String t = text.trim();
            if (t.equalsIgnoreCase("none")) {
                return new Hidden(new int[0]);
            }
            String[] parts = t.split(",", -1);
            int[] sizes = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    sizes[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("must be comma-separated layer sizes (or none), got '" + text + "'");
                }
                if (sizes[i] < 1) {
                    throw new TypeConversionException("layer sizes must be >= 1, got " + sizes[i]);
                }
            }
            return new Hidden(sizes);
        }
    }
}
