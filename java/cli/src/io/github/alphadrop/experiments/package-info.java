/**
 * Reproductions of the paper's experiments on top of the public API. {@link
 * io.github.alphadrop.experiments.UciBenchmark} runs the UCI regression protocol of Li &amp; Gal (2017)
 * split by split and α; {@link io.github.alphadrop.experiments.UciSummary} and {@link
 * io.github.alphadrop.experiments.Stats} turn the per-split results into the paper's mean ± standard error
 * table, and {@link io.github.alphadrop.experiments.PaperResults} holds the published numbers to compare
 * with. The command line's {@code alphadrop uci} is a thin shell around these classes.
 */
package io.github.alphadrop.experiments;
