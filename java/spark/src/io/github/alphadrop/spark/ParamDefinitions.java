package io.github.alphadrop.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;

/**
 * The parameters every AlphaDrop estimator and model has, made once per instance (Spark ties a parameter to
 * the uid of its owner). {@link AlphaDropParams} exposes them the Spark ML way.
 */
public final class ParamDefinitions {

    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> probabilityCol;
    final Param<String> entropyCol;
    final Param<String> mutualInformationCol;
    final Param<String> varianceCol;
    final DoubleParam alpha;
    final IntParam samples;
    final IntParam testSamples;
    final Param<String> architecture;
    final DoubleParam dropout;
    final Param<String> noise;
    final IntParam epochs;
    final IntParam batchSize;
    final DoubleParam learningRate;
    final DoubleParam weightDecay;
    final LongParam seed;
    final IntParam localSteps;

    ParamDefinitions(Identifiable owner) {
        featuresCol = new Param<>(owner, "featuresCol", "features column: a vector of the model's input width");
        labelCol = new Param<>(owner, "labelCol", "label column: a class index 0, 1, ... (classifier) or a real target (regressor)");
        predictionCol = new Param<>(owner, "predictionCol", "output: the predicted class, or the predictive mean");
        probabilityCol = new Param<>(owner, "probabilityCol", "output: the MC predictive class probabilities (classifier); empty for none");
        entropyCol = new Param<>(owner, "entropyCol", "output: the entropy of the predictive, in nats (classifier); empty for none");
        mutualInformationCol = new Param<>(owner, "mutualInformationCol",
                "output: the mutual information between prediction and weights, in nats (classifier); empty for none");
        varianceCol = new Param<>(owner, "varianceCol", "output: the predictive variance, noise included (regressor); empty for none");
        alpha = new DoubleParam(owner, "alpha", "alpha of the objective: 0 is MC-dropout VI, 1 the MC predictive likelihood (>= 0)",
                ParamValidators.gtEq(0));
        samples = new IntParam(owner, "samples", "K, dropout samples per training row (>= 1)", ParamValidators.gtEq(1));
        testSamples = new IntParam(owner, "testSamples", "T, stochastic passes per scored row (>= 1)", ParamValidators.gtEq(1));
        architecture = new Param<>(owner, "architecture", "hidden layer sizes, comma separated, e.g. 100,100 (empty: no hidden layer)");
        dropout = new DoubleParam(owner, "dropout", "drop probability before every dense layer, inputs included, in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
        noise = new Param<>(owner, "noise", "dropout noise: bernoulli (the paper's), gaussian (multiplicative, the same"
                + " mean and variance) or dropconnect (Bernoulli masks on the weights, one per MC sample)",
                ParamValidators.inArray(new String[]{"bernoulli", "gaussian", "dropconnect"}));
        epochs = new IntParam(owner, "epochs", "passes over the training data (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(owner, "batchSize", "rows per minibatch, over all partitions (>= 1)", ParamValidators.gtEq(1));
        learningRate = new DoubleParam(owner, "learningRate", "Adam's learning rate (> 0)", ParamValidators.gt(0));
        weightDecay = new DoubleParam(owner, "weightDecay", "wd in wd * sum ||W||^2 (>= 0)", ParamValidators.gtEq(0));
        seed = new LongParam(owner, "seed", "seed of the initial weights, the batch order and every dropout mask");
        localSteps = new IntParam(owner, "localSteps", "1: synchronous steps, one Spark job each (the single-JVM result);"
                + " H > 1: each partition takes H steps on its own rows, then parameters are averaged (one job per H steps)",
                ParamValidators.gtEq(1));
    }
}
