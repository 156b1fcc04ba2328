/**
 * The visual report of the adversarial experiments: PNG line charts and reliability diagrams rendered
 * headlessly with XChart ({@link io.github.alphadrop.report.Charts}), grids of perturbed example inputs
 * drawn with Java2D ({@link io.github.alphadrop.report.ExampleGrid}), and the CSV and offline HTML page
 * that tie them together ({@link io.github.alphadrop.report.AttackReport}).
 */
package io.github.alphadrop.report;
