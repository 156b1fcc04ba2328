package io.github.alphadrop.cli;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.predict.RegressionPredictions;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import io.github.alphadrop.train.TrainingListener;
import io.github.alphadrop.train.TrainingResult;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Training and evaluation as the commands run them, shared by train, evaluate and demo. */
final class Workflows {

    private Workflows() {
    }

    /** What a training run needs besides the data. */
    record TrainSpec(float alpha, int samples, int[] hidden, float dropout, Activation activation, String likelihood,
                     int epochs, int batch, double learningRate, String optimizer, double weightDecay, long seed,
                     Dropout.Noise noise) {

        TrainSpec {
            if (noise == null) {
                throw new IllegalArgumentException("--noise must be bernoulli, gaussian, dropconnect or concrete");
            }
            if (!(alpha >= 0) || Float.isInfinite(alpha)) {
                throw new IllegalArgumentException("--alpha must be finite and >= 0, got " + alpha);
            }
            if (samples < 1) {
                throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("--weight-decay must be finite and >= 0, got " + weightDecay);
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("--hidden sizes must be >= 1, got " + h);
                }
            }
        }

        /** Starts from train's defaults: α 0.5, K 10, 100-100 ReLU, dropout 0.5, 20 epochs of 128, Adam 1e-3, wd 1e-6. */
        static Builder builder() {
            return new Builder();
        }

        /** Named settings instead of twelve positional ones. */
        static final class Builder {
            private float alpha = 0.5f;
            private int samples = 10;
            private int[] hidden = {100, 100};
            private float dropout = 0.5f;
            private Activation activation = Activation.RELU;
            private String likelihood = "auto";
            private int epochs = 20;
            private int batch = 128;
            private double learningRate = 1e-3;
            private String optimizer = "adam";
            private double weightDecay = 1e-6;
            private long seed;
            private Dropout.Noise noise = Dropout.Noise.BERNOULLI;

            Builder alpha(float v) { alpha = v; return this; }
            Builder samples(int v) { samples = v; return this; }
            Builder hidden(int... v) { hidden = v.clone(); return this; }
            Builder dropout(float v) { dropout = v; return this; }
            Builder activation(Activation v) { activation = v; return this; }
            Builder likelihood(String v) { likelihood = v; return this; }
            Builder epochs(int v) { epochs = v; return this; }
            Builder batch(int v) { batch = v; return this; }
            Builder learningRate(double v) { learningRate = v; return this; }
            Builder optimizer(String v) { optimizer = v; return this; }
            Builder weightDecay(double v) { weightDecay = v; return this; }
            Builder seed(long v) { seed = v; return this; }
            Builder noise(Dropout.Noise v) { noise = v; return this; }

            TrainSpec build() {
                return new TrainSpec(alpha, samples, hidden, dropout, activation, likelihood, epochs, batch, learningRate,
                        optimizer, weightDecay, seed, noise);
            }
        }
    }

    static Mlp buildModel(Dataset train, TrainSpec spec) {
        boolean categorical = switch (spec.likelihood() == null ? "auto" : spec.likelihood().toLowerCase(Locale.ROOT)) {
            case "auto" -> train.isClassification();
            case "categorical" -> true;
            case "gaussian" -> false;
            default -> throw new IllegalArgumentException("--likelihood must be categorical or gaussian, got " + spec.likelihood());
        };
        if (categorical != train.isClassification()) {
            throw new IllegalArgumentException("--likelihood " + (categorical ? "categorical" : "gaussian") + " does not fit "
                    + train.name() + ", which is a " + (train.isClassification() ? "classification" : "regression") + " set");
        }
        return Mlp.builder(train.featureDim()).hidden(spec.hidden()).output(train.outputDim())
                .activation(spec.activation()).dropout(spec.dropout()).noise(spec.noise())
                .likelihood(categorical ? Likelihood.categorical() : Likelihood.gaussian())
                .seed(spec.seed()).build();
    }

    static TrainingResult train(Mlp model, Dataset train, TrainSpec spec, Kernels kernels, boolean json, String label) {
        return train(model, train, spec, kernels, json, label, b -> { });
    }

    /** As above, with {@code extra} applied to the trainer's builder (checkpoints, resuming). */
    static TrainingResult train(Mlp model, Dataset train, TrainSpec spec, Kernels kernels, boolean json, String label,
                                java.util.function.Consumer<Trainer.Builder> extra) {
        return run(train, spec, json, label, kernels, extra, trainer -> train.isClassification()
                ? trainer.fit(model, train.features(), train.labels())
                : trainer.fit(model, train.features(), train.targets()));
    }

    /** Trains a classifier {@link Network} on a classification set. */
    static TrainingResult train(Network network, Dataset train, TrainSpec spec, Kernels kernels, boolean json,
                                String label, java.util.function.Consumer<Trainer.Builder> extra) {
        return run(train, spec, json, label, kernels, extra,
                trainer -> trainer.fit(network, train.features(), train.labels()));
    }

    private static TrainingResult run(Dataset train, TrainSpec spec, boolean json, String label, Kernels kernels,
                                      java.util.function.Consumer<Trainer.Builder> extra,
                                      java.util.function.Function<Trainer, TrainingResult> fit) {
        int steps = (train.size() + Math.min(spec.batch(), train.size()) - 1) / Math.min(spec.batch(), train.size());
        Progress progress = new Progress(label, (long) steps * spec.epochs(), json);
        Trainer.Builder builder = Trainer.builder(kernels)
                .objective(new AlphaDivergence(spec.alpha(), spec.samples()))
                .batchSize(spec.batch()).epochs(spec.epochs()).seed(spec.seed()).weightDecay(spec.weightDecay())
                .optimizer(() -> spec.optimizer().equalsIgnoreCase("sgd")
                        ? Optimizer.sgd(spec.learningRate(), 0.9) : Optimizer.adam(spec.learningRate()))
                .listener(new TrainingListener() {
                    double lastEpochLoss = Double.NaN;

                    @Override
                    public void onStep(int epoch, int step, int stepsPerEpoch, double loss) {
                        progress.update((long) epoch * stepsPerEpoch + step + 1,
                                () -> String.format(Locale.ROOT, "epoch %d/%d loss %.4f", epoch + 1, spec.epochs(),
                                        Double.isNaN(lastEpochLoss) ? loss : lastEpochLoss));
                    }

                    @Override
                    public void onEpoch(int epoch, int epochs, double meanLoss, double seconds) {
                        lastEpochLoss = meanLoss;
                    }
                });
        extra.accept(builder);
        Trainer trainer = builder.build();
        try {
            return fit.apply(trainer);
        } finally {
            progress.finish();
        }
    }

    /** {@link #evaluate(Mlp, Network, Dataset, Kernels, int, boolean, long)} of a saved model, whichever kind. */
    static Map<String, Object> evaluate(io.github.alphadrop.io.ModelFile.Saved saved, Dataset test, Kernels kernels,
                                        int samples, boolean deterministic, long seed) {
        return evaluate(saved.model(), saved.network(), test, kernels, samples, deterministic, seed);
    }

    static Map<String, Object> evaluate(Mlp model, Dataset test, Kernels kernels, int samples, boolean deterministic,
                                        long seed) {
        return evaluate(model, null, test, kernels, samples, deterministic, seed);
    }

    /** The evaluate keys: accuracy or rmse, log_likelihood, mean_entropy, mean_mutual_information, ... */
    /** Exactly one of {@code model} and {@code network} is non-null; networks are classifiers. */
    private static Map<String, Object> evaluate(Mlp model, Network network, Dataset test, Kernels kernels, int samples,
                                                boolean deterministic, long seed) {
        int inputs = model != null ? model.inputSize() : network.inputSize();
        int outputs = model != null ? model.outputSize() : network.outputSize();
        boolean categorical = model == null || model.likelihood().isCategorical();
        if (test.featureDim() != inputs) {
            throw new IllegalArgumentException("the data have " + test.featureDim() + " features but the model expects "
                    + inputs);
        }
        if (test.isClassification() != categorical) {
            throw new IllegalArgumentException("the model is a " + (categorical ? "classifier" : "regressor")
                    + " but " + test.name() + " is a " + (test.isClassification() ? "classification" : "regression") + " set");
        }
        long start = System.nanoTime();
        McPredictive predictive = model != null ? new McPredictive(model, kernels, samples, seed, deterministic)
                : new McPredictive(network, kernels, samples, seed, deterministic);
        Map<String, Object> m = new LinkedHashMap<>();
        if (test.isClassification()) {
            if (test.classes() > outputs) {
                throw new IllegalArgumentException("the data have " + test.classes() + " classes but the model predicts "
                        + outputs);
            }
            ClassPredictions p = predictive.predictClasses(test.features());
            m.put("accuracy", p.accuracy(test.labels()));
            m.put("log_likelihood", p.logLikelihood(test.labels()));
            m.put("mean_entropy", p.meanEntropy());
            m.put("mean_mutual_information", p.meanMutualInformation());
            // Expected calibration error of the MC predictive's top class over 10 equal-width confidence bins.
            m.put("ece", io.github.alphadrop.adversarial.AttackMetrics.calibration(p, test.labels(), 10).ece());
        } else {
            if (test.targetDims() != model.outputSize()) {
                throw new IllegalArgumentException("the data have " + test.targetDims() + " targets but the model predicts "
                        + model.outputSize());
            }
            RegressionPredictions p = predictive.predictRegression(test.features(), test.targets());
            Normalization norm = test.normalization().orElse(null);
            double rmse = p.rmse(test.targets());
            double ll = p.logLikelihood();
            double variance = p.meanVariance();
            if (norm != null && norm.hasTargets()) {
                rmse = norm.scaleRmse(rmse);
                ll = norm.scaleLogLikelihood(ll);
                double s = norm.scaleStd(1.0, 0);
                variance *= s * s;
            }
            m.put("rmse", rmse);
            m.put("log_likelihood", ll);
            m.put("mean_variance", variance);
            m.put("tau", Math.exp(model.logTau()));
        }
        m.put("test_samples", predictive.samples());
        m.put("deterministic", deterministic);
        m.put("test_size", test.size());
        m.put("seconds", (System.nanoTime() - start) / 1e9);
        return m;
    }

    static int[] parseHidden(String text) {
        if (text == null || text.isBlank() || text.equals("0") || text.equalsIgnoreCase("none")) {
            return new int[0];
        }
        String[] parts = text.split(",");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--hidden must be a comma-separated list of layer sizes, got '" + text + "'");
            }
        }
        return sizes;
    }
}
