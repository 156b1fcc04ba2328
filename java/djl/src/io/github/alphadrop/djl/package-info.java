/**
 * AlphaDrop for DJL: the alpha-divergence dropout objective of Li and Gal (2017) as a DJL loss
 * ({@link io.github.alphadrop.djl.AlphaDivergenceLoss}), a block that learns a Gaussian likelihood's
 * precision ({@link io.github.alphadrop.djl.LearnedPrecisionBlock}), and Monte Carlo dropout prediction
 * with predictive entropy and mutual information ({@link io.github.alphadrop.djl.McDropout}).
 *
 * <p>Depends on {@code ai.djl:api} only and on no engine-specific class; it is tested on PyTorch.
 * A training step with K dropout samples per datapoint:
 * <pre>{@code
 * AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(0.5f, 10);
 * try (GradientCollector gc = trainer.newGradientCollector()) {
 *     NDList out = trainer.forward(new NDList(AlphaDivergenceLoss.repeatSamples(x, 10)));
 *     gc.backward(loss.evaluate(new NDList(labels), out));
 * }
 * trainer.step();
 * }</pre>
 */
package io.github.alphadrop.djl;
