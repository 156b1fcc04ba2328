/**
 * Adversarial examples against the MC dropout predictive (Li &amp; Gal 2017, section 5.3):
 * {@link io.github.alphadrop.adversarial.McGradient} differentiates log p̄(y|x) through all T dropout
 * passes; {@link io.github.alphadrop.adversarial.Fgsm} and
 * {@link io.github.alphadrop.adversarial.TargetedFgsm} are the attacks;
 * {@link io.github.alphadrop.adversarial.AttackMetrics} has the detection ROC-AUC and the calibration
 * error; {@link io.github.alphadrop.adversarial.AttackRunner} runs a sweep on one model.
 */
package io.github.alphadrop.adversarial;
