package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

/**
 * The two sample counts, one name each in every command: {@code --samples} is K, the dropout samples per
 * datapoint while training; {@code --test-samples} is T, the stochastic passes of the MC predictive.
 */
final class SampleOptions {

    private SampleOptions() {
    }

    /** {@code --samples K} of a command that trains. */
    static final class Training {
        @Option(names = "--samples", paramLabel = "K", converter = Converters.PositiveInt.class,
                description = "K, dropout samples per datapoint in the training objective (default ${DEFAULT-VALUE}).")
        int samples = 10;
    }

    /** The largest T: beyond it the MC error is far below float precision, and the run would take hours silently. */
    static final int MAX_TEST_SAMPLES = 1_000_000;

    /** T in [1, {@link #MAX_TEST_SAMPLES}]. */
    static final class TestSamplesConverter implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int t = new Converters.PositiveInt().convert(value);
            if (t > MAX_TEST_SAMPLES) {
                throw new picocli.CommandLine.TypeConversionException("must be at most " + MAX_TEST_SAMPLES + ", got " + t);
            }
            return t;
        }
    }

    /** {@code --test-samples T} of a command that predicts; the command sets its own default. */
    static final class Test {
        @Option(names = "--test-samples", paramLabel = "T", converter = TestSamplesConverter.class,
                description = "T, stochastic passes of the MC predictive, at most 1000000 (default ${DEFAULT-VALUE}).")
        int testSamples;

        Test() {
            this(100);
        }

        Test(int defaultT) {
            this.testSamples = defaultT;
        }
    }

    /** In a command that does not train, {@code --samples} (once T there) is an error naming the new spelling. */
    static final class NoTraining {
        @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
        picocli.CommandLine.Model.CommandSpec command;

        @Option(names = "--samples", hidden = true, paramLabel = "N")
        void retired(String value) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "--samples is K, the training"
                    + " samples, and " + command.name() + " does not train; T, the test passes, is --test-samples " + value);
        }
    }
}
