package io.github.alphadrop.adversarial;

import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs the experiments of Li &amp; Gal (2017, section 5.3) on one model: an FGSM sweep over ε and an
 * iterative targeted attack, measuring after each strength with the same MC predictive the attack
 * differentiates (T passes, or one dropout-free pass for a deterministic network).
 *
 * <p>Two seeds, both derived from the one given: the attack's gradients use one family of masks, the
 * measurements another, so the attacker does not get to see the masks it is judged with. The measuring
 * predictive uses the same masks for every strength (including the clean inputs), so differences
 * between rows come from the inputs, not from dropout noise, and ε = 0 reproduces the clean numbers
 * exactly (detection AUCs of 0.5).
 */
public final class AttackRunner {

    /** One image of the example grid: the (perturbed) input and what the model made of it. */
    public record Frame(String caption, float[] pixels, int predicted, double probability) {
    }

    /** One example input followed through an attack. */
    public record Example(int index, int label, List<Frame> frames) {
    }

    /** The rows of one model under one attack, and the example frames. */
    public record Result(String model, String method, List<AttackRow> rows, List<Example> examples) {
    }

    private static final long MEASURE_SEED_MIX = 0x6A09E667F3BCC909L;

    private final String name;
    private final Mlp model;
    private final Network network;
    private final Kernels kernels;
    private final int samples;
    private final boolean deterministic;
    private final long seed;
    private final float lower;
    private final float upper;

    /**
     * @param name          the model's name in rows and plots
     * @param samples       T for attack and measurement (1 when deterministic)
     * @param lower, upper  the valid input range, e.g. [0, 1] for pixels
     */
    public AttackRunner(String name, Mlp model, Kernels kernels, int samples, boolean deterministic, long seed,
                        float lower, float upper) {
        this(name, requireNonNull(model, "model"), null, kernels, samples, deterministic, seed, lower, upper);
    }

    /** The same for a classifier {@link Network}. */
    public AttackRunner(String name, Network network, Kernels kernels, int samples, boolean deterministic, long seed,
                        float lower, float upper) {
        this(name, null, requireNonNull(network, "network"), kernels, samples, deterministic, seed, lower, upper);
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    private AttackRunner(String name, Mlp model, Network network, Kernels kernels, int samples, boolean deterministic,
                         long seed, float lower, float upper) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples (T) must be >= 1, got " + samples);
        }
        Fgsm.checkRange(lower, upper);
        this.name = name;
        this.model = model;
        this.network = network;
        this.kernels = kernels;
        this.samples = deterministic ? 1 : samples;
        this.deterministic = deterministic;
        this.seed = seed;
        this.lower = lower;
        this.upper = upper;
    }

    private McGradient gradient() {
        return model != null ? new McGradient(model, kernels, samples, seed, deterministic)
                : new McGradient(network, kernels, samples, seed, deterministic);
    }

    public String name() {
        return name;
    }

    public int samples() {
        return samples;
    }

    public boolean deterministic() {
        return deterministic;
    }

    /** The measuring predictive on x (n × inputSize). */
    public ClassPredictions predict(float[] x) {
        McPredictive predictive = model != null
                ? new McPredictive(model, kernels, samples, seed ^ MEASURE_SEED_MIX, deterministic)
                : new McPredictive(network, kernels, samples, seed ^ MEASURE_SEED_MIX, deterministic);
        return predictive.predictClasses(x);
    }

    /** Expected calibration error and reliability bins of the clean predictions. */
    public AttackMetrics.Calibration calibration(float[] x, int[] labels) {
        return AttackMetrics.calibration(predict(x), labels, AttackMetrics.ECE_BINS);
    }

    /**
     * The untargeted FGSM sweep: one gradient at the clean inputs, then a prediction at every ε.
     *
     * @param eps         the strengths, in the order of the rows
     * @param exampleRows inputs to follow in the example grid
     * @param frameEps    indices into {@code eps} at which to record example frames
     * @param tick        called once per unit of work (1 + eps.length units); may be null
     */
    public Result fgsm(float[] x, int[] labels, double[] eps, int[] exampleRows, int[] frameEps, Runnable tick) {
        checkInputs(x, labels);
        for (double e : eps) {
            if (!(e >= 0) || Double.isInfinite(e)) {
                throw new IllegalArgumentException("ε must be finite and >= 0, got " + e);
            }
        }
        checkExamples(exampleRows, labels.length);
        ClassPredictions clean = predict(x);
        int[] predicted = new int[clean.n()];
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = clean.predictedClass(i);
        }
        Fgsm fgsm = new Fgsm(gradient(), lower, upper);
        float[] g = fgsm.gradient(x, predicted, 0);
        tick(tick);
        List<AttackRow> rows = new ArrayList<>();
        List<List<Frame>> frames = emptyFrames(exampleRows);
        for (int k = 0; k < eps.length; k++) {
            float[] adv = fgsm.perturb(x, g, eps[k]);
            ClassPredictions p = predict(adv);
            rows.add(AttackMetrics.measure(name, "fgsm", eps[k], -1, clean, p, labels, -1));
            if (contains(frameEps, k)) {
                addFrames(frames, exampleRows, adv, p, String.format(Locale.ROOT, "ε=%.2f", eps[k]));
            }
            tick(tick);
        }
        return new Result(name, "fgsm", rows, examples(exampleRows, labels, frames));
    }

    /**
     * The iterative targeted attack on the inputs whose label is not {@code target}.
     *
     * @param every       measure every this many steps (and always at step 0 and the last)
     * @param exampleRows inputs (indices into x) to follow; those labelled {@code target} are skipped
     * @param frameSteps  steps at which to record example frames
     * @param tick        called once per unit of work (1 + steps units); may be null
     */
    public Result targeted(float[] x, int[] labels, int target, int steps, double stepSize, int every,
                           int[] exampleRows, int[] frameSteps, Runnable tick) {
        checkInputs(x, labels);
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        checkExamples(exampleRows, labels.length);
        int[] keep = rowsNotLabelled(labels, target);
        if (keep.length == 0) {
            throw new IllegalArgumentException("every input is labelled " + target + ": nothing to attack");
        }
        int d = model != null ? model.inputSize() : network.inputSize();
        float[] xs = new float[keep.length * d];
        int[] ys = new int[keep.length];
        for (int i = 0; i < keep.length; i++) {
            System.arraycopy(x, keep[i] * d, xs, i * d, d);
            ys[i] = labels[keep[i]];
        }
        // Example rows as indices into the kept subset.
        int[] examples = Arrays.stream(exampleRows == null ? new int[0] : exampleRows)
                .map(r -> Arrays.binarySearch(keep, r)).filter(r -> r >= 0).toArray();
        TargetedFgsm attack = new TargetedFgsm(gradient(), target,
                stepSize, lower, upper);
        ClassPredictions clean = predict(xs);
        List<AttackRow> rows = new ArrayList<>();
        List<List<Frame>> frames = emptyFrames(examples);
        rows.add(AttackMetrics.measure(name, "targeted", 0, 0, clean, clean, ys, target));
        if (contains(frameSteps, 0)) {
            addFrames(frames, examples, xs, clean, "step 0");
        }
        tick(tick);
        attack.run(xs, steps, (step, current) -> {
            boolean frame = contains(frameSteps, step);
            if (step % every == 0 || step == steps || frame) {
                ClassPredictions p = predict(current);
                if (step % every == 0 || step == steps) {
                    rows.add(AttackMetrics.measure(name, "targeted", step * stepSize, step, clean, p, ys, target));
                }
                if (frame) {
                    addFrames(frames, examples, current, p, "step " + step);
                }
            }
            tick(tick);
        });
        List<Example> out = new ArrayList<>();
        for (int e = 0; e < examples.length; e++) {
            out.add(new Example(keep[examples[e]], ys[examples[e]], frames.get(e)));
        }
        return new Result(name, "targeted", rows, out);
    }

    /** Indices of the inputs whose label differs from {@code target}, ascending. */
    public static int[] rowsNotLabelled(int[] labels, int target) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != target).toArray();
    }

    private void checkInputs(float[] x, int[] labels) {
        int d = model != null ? model.inputSize() : network.inputSize();
        if (x == null || labels == null || x.length != (long) labels.length * d || labels.length == 0) {
            throw new IllegalArgumentException("need n × " + d + " inputs and n labels, got "
                    + (x == null ? "null" : x.length) + " values and " + (labels == null ? "null" : labels.length) + " labels");
        }
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] >= lower && x[i] <= upper)) {
                throw new IllegalArgumentException("input value " + x[i] + " (input " + (i / d) + ") is outside the valid range ["
                        + lower + ", " + upper + "] the attack clips to");
            }
        }
    }

    private static void checkExamples(int[] rows, int n) {
        for (int i = 0; rows != null && i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= n) {
                throw new IllegalArgumentException("example input " + rows[i] + " is outside [0, " + n + ")");
            }
        }
    }

    private static List<List<Frame>> emptyFrames(int[] exampleRows) {
        List<List<Frame>> frames = new ArrayList<>();
        for (int i = 0; exampleRows != null && i < exampleRows.length; i++) {
            frames.add(new ArrayList<>());
        }
        return frames;
    }

    private void addFrames(List<List<Frame>> frames, int[] rows, float[] x, ClassPredictions p, String caption) {
        int d = model != null ? model.inputSize() : network.inputSize();
        for (int e = 0; e < frames.size(); e++) {
            int r = rows[e];
            int c = p.predictedClass(r);
            frames.get(e).add(new Frame(caption, Arrays.copyOfRange(x, r * d, (r + 1) * d), c,
                    p.meanProbs()[r * p.classes() + c]));
        }
    }

    private static List<Example> examples(int[] rows, int[] labels, List<List<Frame>> frames) {
        List<Example> out = new ArrayList<>();
        for (int e = 0; e < frames.size(); e++) {
            out.add(new Example(rows[e], labels[rows[e]], frames.get(e)));
        }
        return out;
    }

    private static boolean contains(int[] values, int v) {
        if (values == null) {
            return false;
        }
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static void tick(Runnable tick) {
        if (tick != null) {
            tick.run();
        }
    }
}
