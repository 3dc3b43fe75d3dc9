package dev.gradc;

/**
 * PyTorch's {@code torch.var_mean}: the variance and the mean over the same dims, as {@link
 * Tensor#varMean()} returns them; both record {@code VarMeanBackward0}.
 *
 * @param var the variance
 * @param mean the mean
 */
public record VarMean(Tensor var, Tensor mean) {}
