/**
 * Data sets for training and evaluating AlphaDrop networks.
 *
 * <ul>
 *   <li>{@link io.github.alphadrop.data.Dataset}: features (row-major floats) with class labels or
 *       regression targets; {@link io.github.alphadrop.data.TrainTest}: a train set and its test set.</li>
 *   <li>{@link io.github.alphadrop.data.Normalization}: standardisation with training statistics only,
 *       and the maps of predictions, RMSE and log-likelihood back to original units.</li>
 *   <li>Loaders: {@link io.github.alphadrop.data.IdxLoader} (MNIST, Fashion-MNIST),
 *       {@link io.github.alphadrop.data.UciLoader} (UCI regression splits),
 *       {@link io.github.alphadrop.data.CsvLoader} (any numeric CSV) and the embedded
 *       {@link io.github.alphadrop.data.Digits} set. Malformed content raises a
 *       {@link io.github.alphadrop.data.MalformedDataException} naming file, line and column.</li>
 *   <li>{@link io.github.alphadrop.data.DataSpec}: the command line's data names
 *       ({@code digits}, {@code idx:DIR}, {@code uci:DIR}, {@code csv:FILE}).</li>
 * </ul>
 */
package io.github.alphadrop.data;
