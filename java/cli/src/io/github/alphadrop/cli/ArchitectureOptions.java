package io.github.alphadrop.cli;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.network.Network;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code train}'s choice of network: the MLP, or the paper's CNN with its convolution widths and image shape. */
final class ArchitectureOptions {

    /** The networks {@code --arch} names. */
    enum Arch { mlp, cnn }

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--arch", defaultValue = "mlp", paramLabel = "mlp|cnn",
            description = "mlp: dense layers (--hidden); cnn: the paper's CNN, 3x3 ReLU convolutions (--conv) -> 2x2"
                    + " max-pool -> dropout -> dense (--hidden, default 100) -> dropout -> dense (default ${DEFAULT-VALUE}).")
    Arch arch;

    @Option(names = "--conv", paramLabel = "F1,F2,...", converter = FilterCounts.class,
            description = "Filters of each 3x3 convolution, cnn only (default 32,32).")
    Filters conv;

    /** The filter counts of --conv (a record, so picocli parses the list as one value). */
    record Filters(int[] counts) {
    }

    @Option(names = "--input-shape", paramLabel = "HxWxC", converter = ImageShape.Parse.class,
            description = "Image height, width and channels of each row, cnn only (default: a square of one channel,"
                    + " e.g. 28x28x1 for 784 features).")
    ImageShape inputShape;

    /** Height, width and channels of the images a row of features holds (NHWC). */
    record ImageShape(int height, int width, int channels) {

        int size() {
            return height * width * channels;
        }

        @Override
        public String toString() {
            return height + "x" + width + "x" + channels;
        }

        static final class Parse implements ITypeConverter<ImageShape> {
            @Override
            public ImageShape convert(String text) {
                String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
                if (parts.length != 3) {
                    throw new TypeConversionException("must be HxWxC, e.g. 28x28x1, got '" + text + "'");
                }
                int[] v = new int[3];
                for (int i = 0; i < 3; i++) {
                    try {
                        v[i] = Integer.parseInt(parts[i].trim());
                    } catch (NumberFormatException e) {
                        throw new TypeConversionException("must be HxWxC with whole numbers, got '" + text + "'");
                    }
                    if (v[i] < 1 || v[i] > 1 << 16) {
                        throw new TypeConversionException("each of H, W and C must be in [1, 65536], got '" + text + "'");
                    }
                }
                return new ImageShape(v[0], v[1], v[2]);
            }
        }
    }

    /** Filter counts, comma-separated, each >= 1. */
    static final class FilterCounts implements ITypeConverter<Filters> {
        @Override
        public Filters convert(String text) {
            String[] parts = text.trim().split(",", -1);
            int[] v = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    v[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("must be filter counts like 32,32, got '" + text + "'");
                }
                if (v[i] < 1) {
                    throw new TypeConversionException("each filter count must be >= 1, got '" + text + "'");
                }
            }
            return new Filters(v);
        }
    }

    boolean isCnn() {
        return arch == Arch.cnn;
    }

    /** Options that only one architecture takes, given with the other: a command-line error (exit 2). */
    void requireConsistent() {
        if (!isCnn() && (conv != null || inputShape != null)) {
            throw new ParameterException(command.commandLine(), (conv != null ? "--conv" : "--input-shape")
                    + " is for --arch cnn; this run trains an MLP (--arch mlp)");
        }
    }

    /** The image shape of rows of {@code features} values: --input-shape, or a one-channel square. */
    ImageShape shapeFor(int features) {
        if (inputShape != null) {
            if (inputShape.size() != features) {
                throw new IllegalArgumentException("--input-shape " + inputShape + " holds " + inputShape.size()
                        + " values but the data have " + features + " features");
            }
            return inputShape;
        }
        int side = (int) Math.round(Math.sqrt(features));
        if (side * side != features) {
            throw new IllegalArgumentException("the data have " + features + " features, not a square image: give"
                    + " --input-shape HxWxC");
        }
        return new ImageShape(side, side, 1);
    }

    /** The CNN for these options on rows of {@code features} values and {@code classes} classes (not initialised). */
    Network buildCnn(int features, int classes, int[] hidden, float dropout, Activation activation,
                     io.github.alphadrop.kernels.Dropout.Noise noise) {
        ImageShape s = shapeFor(features);
        return Network.cnn(s.height(), s.width(), s.channels(), classes, conv == null ? new int[]{32, 32} : conv.counts(), hidden,
                dropout, activation, noise);
    }
}
