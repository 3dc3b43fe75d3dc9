package dev.gradc;

/**
 * PyTorch's {@code torch.return_types.max} (and {@code min}, {@code cummax}, {@code cummin}, {@code
 * sort}, {@code topk}, {@code kthvalue}, {@code median}): the selected values along a dim and the
 * index of each, as {@link Tensor#max(int)}, {@link Tensor#cummax(int)} and {@link
 * Tensor#sort(int)} return them.
 *
 * @param values the values, recording {@code MaxBackward0}, {@code MinBackward0}, {@code
 *     CummaxBackward0}, {@code CumminBackward0}, {@code SortBackward0}, {@code TopkBackward0},
 *     {@code KthvalueBackward0} or {@code MedianBackward1}
 * @param indices the i64 index of each value along the dim (the first on ties for max and min, the
 *     latest for cummax and cummin)
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
