package dev.gradc;

/**
 * PyTorch's {@code torch.return_types.max} (and {@code min}): the extreme values along a dim and
 * the index of each, as {@link Tensor#max(int)} returns them.
 *
 * @param values the values, recording {@code MaxBackward0} or {@code MinBackward0}
 * @param indices the i64 index of each value along the dim (the first, on ties)
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
