package io.github.alphadrop.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The parameters shared by the AlphaDrop estimators and their models, with Spark ML getters and fluent
 * setters ({@code T} is the implementing class). Defaults are set by each class; an empty output column name
 * leaves that column out.
 *
 * @param <T> the estimator or model type the setters return
 */
public interface AlphaDropParams<T extends AlphaDropParams<T>> extends Params {

    /** The parameter objects of this instance. */
    ParamDefinitions definitions();

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    default Param<String> featuresCol() {
        return definitions().featuresCol;
    }

    default Param<String> labelCol() {
        return definitions().labelCol;
    }

    default Param<String> predictionCol() {
        return definitions().predictionCol;
    }

    default Param<String> probabilityCol() {
        return definitions().probabilityCol;
    }

    default Param<String> entropyCol() {
        return definitions().entropyCol;
    }

    default Param<String> mutualInformationCol() {
        return definitions().mutualInformationCol;
    }

    default Param<String> varianceCol() {
        return definitions().varianceCol;
    }

    default DoubleParam alpha() {
        return definitions().alpha;
    }

    default IntParam samples() {
        return definitions().samples;
    }

    default IntParam testSamples() {
        return definitions().testSamples;
    }

    default Param<String> architecture() {
        return definitions().architecture;
    }

    default DoubleParam dropout() {
        return definitions().dropout;
    }

    default Param<String> noise() {
        return definitions().noise;
    }

    default IntParam epochs() {
        return definitions().epochs;
    }

    default IntParam batchSize() {
        return definitions().batchSize;
    }

    default DoubleParam learningRate() {
        return definitions().learningRate;
    }

    default DoubleParam weightDecay() {
        return definitions().weightDecay;
    }

    default LongParam seed() {
        return definitions().seed;
    }

    default IntParam localSteps() {
        return definitions().localSteps;
    }

    default int getLocalSteps() {
        return (Integer) getOrDefault(localSteps());
    }

    default String getFeaturesCol() {
        return getOrDefault(featuresCol());
    }

    default String getLabelCol() {
        return getOrDefault(labelCol());
    }

    default String getPredictionCol() {
        return getOrDefault(predictionCol());
    }

    default String getProbabilityCol() {
        return getOrDefault(probabilityCol());
    }

    default String getEntropyCol() {
        return getOrDefault(entropyCol());
    }

    default String getMutualInformationCol() {
        return getOrDefault(mutualInformationCol());
    }

    default String getVarianceCol() {
        return getOrDefault(varianceCol());
    }

    default double getAlpha() {
        return (Double) getOrDefault(alpha());
    }

    default int getSamples() {
        return (Integer) getOrDefault(samples());
    }

    default int getTestSamples() {
        return (Integer) getOrDefault(testSamples());
    }

    default String getArchitecture() {
        return getOrDefault(architecture());
    }

    default double getDropout() {
        return (Double) getOrDefault(dropout());
    }

    default String getNoise() {
        return getOrDefault(noise());
    }

    default int getEpochs() {
        return (Integer) getOrDefault(epochs());
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default double getLearningRate() {
        return (Double) getOrDefault(learningRate());
    }

    default double getWeightDecay() {
        return (Double) getOrDefault(weightDecay());
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default T setFeaturesCol(String value) {
        set(featuresCol(), value);
        return self();
    }

    default T setLabelCol(String value) {
        set(labelCol(), value);
        return self();
    }

    default T setPredictionCol(String value) {
        set(predictionCol(), value);
        return self();
    }

    default T setProbabilityCol(String value) {
        set(probabilityCol(), value);
        return self();
    }

    default T setEntropyCol(String value) {
        set(entropyCol(), value);
        return self();
    }

    default T setMutualInformationCol(String value) {
        set(mutualInformationCol(), value);
        return self();
    }

    default T setVarianceCol(String value) {
        set(varianceCol(), value);
        return self();
    }

    /** T, the stochastic passes per scored row. */
    default T setTestSamples(int value) {
        set(testSamples(), (Object) value);
        return self();
    }

    /** The seed of the scoring masks (and, on an estimator, of the training). */
    default T setSeed(long value) {
        set(seed(), (Object) value);
        return self();
    }

    /** Sets the defaults both estimators and models share; called once from each constructor. */
    default void setSharedDefaults() {
        setDefault(featuresCol(), "features");
        setDefault(labelCol(), "label");
        setDefault(predictionCol(), "prediction");
        setDefault(probabilityCol(), "probability");
        setDefault(entropyCol(), "entropy");
        setDefault(mutualInformationCol(), "mutualInformation");
        setDefault(varianceCol(), "variance");
        setDefault(alpha(), (Object) 0.5);
        setDefault(samples(), (Object) 10);
        setDefault(testSamples(), (Object) 100);
        setDefault(architecture(), "100,100");
        setDefault(dropout(), (Object) 0.5);
        setDefault(noise(), "bernoulli");
        setDefault(epochs(), (Object) 20);
        setDefault(batchSize(), (Object) 128);
        setDefault(learningRate(), (Object) 1e-3);
        setDefault(weightDecay(), (Object) 1e-6);
        setDefault(seed(), (Object) 0L);
        setDefault(localSteps(), (Object) 1);
    }
}
