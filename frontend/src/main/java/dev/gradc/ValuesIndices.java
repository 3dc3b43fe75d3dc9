package dev.gradc;

/**
 * PyTorch's {@code torch.return_types.max} (and {@code min}, {@code cummax}, {@code cummin}): the
 * extreme values along a dim and the index of each, as {@link Tensor#max(int)} and {@link
 * Tensor#cummax(int)} return them.
 *
 * @param values the values, recording {@code MaxBackward0}, {@code MinBackward0}, {@code
 *     CummaxBackward0} or {@code CumminBackward0}
 * @param indices the i64 index of each value along the dim (the first on ties for max and min, the
 *     latest for cummax and cummin)
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
